/// A URL inside an app argument, such as `--app=https://crm.example.com/c?q={CALLERNAME}`:
/// the fixed text before it, and the URL as a template of its own. It is expanded and
/// checked exactly like a URL target (values percent-encoded, host fixed, scheme allowed),
/// so a caller cannot add parameters or choose the site of a `--app` window.
public struct EmbeddedURL: Sendable, Hashable {
    /// The argument's text before the URL (`--app=`), kept as written.
    public var prefix: String
    /// The URL, from its scheme on.
    public var url: Template
    /// The scheme as written before `://`, lower-cased (empty when none precedes it).
    public var scheme: String
}

extension Template {
    /// The URL this argument holds, when its fixed text has `scheme://` before the first
    /// placeholder; nil for arguments without one, and for arguments without placeholders
    /// (nothing of the caller's reaches them).
    public var embeddedURL: EmbeddedURL? {
        guard !isConstant, let marker = leadingLiteral.utf8.firstRange(of: "://".utf8) else { return nil }
        let head = leadingLiteral.utf8
        // The scheme: the run of scheme characters before "://", from its first letter.
        var start = marker.lowerBound
        while start > head.startIndex, Self.isSchemeByte(head[head.index(before: start)]) { start = head.index(before: start) }
        while start < marker.lowerBound, !Self.isLetter(head[start]) { start = head.index(after: start) }
        let prefix = String(leadingLiteral[..<start])
        var urlSegments = segments
        urlSegments[0] = .literal(String(leadingLiteral[start...]))
        return EmbeddedURL(
            prefix: prefix, url: Template(segments: urlSegments, source: String(source.dropFirst(prefix.count))),
            scheme: String(leadingLiteral[start..<marker.lowerBound]).lowercased())
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }

    private static func isSchemeByte(_ b: UInt8) -> Bool {
        isLetter(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }
}
