/// Checks that a string is an absolute URL safe to hand to a URL opener.
public enum URLCheck {
    /// Why a URL was refused.
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// No `scheme:` at the start.
        case noScheme
        /// The scheme is not in the allow-list.
        case schemeNotAllowed(String)
        /// Whitespace or a control character is in the URL.
        case whitespaceOrControl
        /// A character RFC 3986 does not allow in a URL, or a bad `%` escape.
        case invalidCharacter(Character)
        /// `http(s)` needs `//host`.
        case missingHost
        /// A value would be a `.` or `..` path segment, moving the URL up its path.
        case dotSegment
        /// The template leaves the host to a value: the caller would choose the site.
        case hostNotFixed

        /// The reason, for the decision log.
        public var description: String {
            switch self {
            case .noScheme: "not an absolute URL (no scheme)"
            case .schemeNotAllowed(let s): "scheme '\(s)' is not allowed (see [launch] url_schemes)"
            case .whitespaceOrControl: "whitespace or a control character in the URL"
            case .invalidCharacter(let c): "character '\(c.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined())' is not allowed in a URL"
            case .missingHost: "no host after the scheme"
            case .dotSegment: "a caller value is a '.' or '..' path segment"
            case .hostNotFixed: "the host is not fixed text"
            }
        }
    }

    /// Returns the URL's lower-cased scheme if `url` is an absolute RFC 3986 URL with a scheme
    /// in `allowedSchemes`, made only of characters a URL may hold; throws the reason otherwise.
    @discardableResult
    public static func validate(_ url: String, allowedSchemes: Set<String>) throws(Refusal) -> String {
        let bytes = Array(url.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              isAlpha(bytes[0]), bytes[1..<colon].allSatisfy(isSchemeByte)
        else { throw .noScheme }
        let scheme = String(decoding: bytes[0..<colon], as: UTF8.self).lowercased()
        guard allowedSchemes.contains(scheme) else { throw .schemeNotAllowed(scheme) }
        var i = colon + 1
        while i < bytes.count {
            let b = bytes[i]
            if b <= 0x20 || b == 0x7F { throw .whitespaceOrControl }
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, isHex(bytes[i + 1]), isHex(bytes[i + 2]) else { throw .invalidCharacter("%") }
                i += 3
                continue
            }
            guard b < 0x80, isURLByte(b) else { throw .invalidCharacter(Character(Unicode.Scalar(b))) }
            i += 1
        }
        if scheme == "http" || scheme == "https" {
            let rest = bytes[(colon + 1)...]
            guard rest.starts(with: Array("//".utf8)) else { throw .missingHost }
            let host = rest.dropFirst(2).prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
            guard !host.isEmpty else { throw .missingHost }
        }
        return scheme
    }

    /// The lower-cased scheme of a URL template when its expansions need no check but the
    /// scheme's (see `Template.fixedURLScheme`): the first literal holds a valid scheme and, for
    /// `http`/`https`, `//`; after a `://`, a host of at least one byte that the literal ends;
    /// every literal byte after the scheme is a URL byte and every `%` in a literal is followed
    /// by two hex digits in that same literal.
    /// Values are percent-encoded on expansion (unreserved bytes and `%XX` only), so they can
    /// neither break those properties nor empty the host. `nil` when any of this is not so.
    static func fixedScheme(of segments: [Template.Segment]) -> String? {
        guard case .literal(let head)? = segments.first else { return nil }
        let bytes = Array(head.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              isAlpha(bytes[0]), bytes[1..<colon].allSatisfy(isSchemeByte)
        else { return nil }
        let scheme = String(decoding: bytes[0..<colon], as: UTF8.self).lowercased()
        if scheme == "http" || scheme == "https" { guard bytes[(colon + 1)...].starts(with: Array("//".utf8)) else { return nil } }
        // The host is the literal's own: no value can add to it (`Template.hasFixedAuthority`).
        guard Template.hostIsFixed(byText: bytes[...], isWholeTemplate: segments.count == 1) else { return nil }
        for (index, segment) in segments.enumerated() {
            guard case .literal(let text) = segment else { continue }
            let literal = Array(text.utf8)
            var i = index == 0 ? colon + 1 : 0
            while i < literal.count {
                let b = literal[i]
                if b == UInt8(ascii: "%") {
                    guard i + 2 < literal.count, isHex(literal[i + 1]), isHex(literal[i + 2]) else { return nil }
                    i += 3
                    continue
                }
                guard b > 0x20, b < 0x7F, isURLByte(b) else { return nil }
                i += 1
            }
        }
        return scheme
    }

    private static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    private static func isHex(_ b: UInt8) -> Bool { isDigit(b) || ((b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "f")) }
    private static func isSchemeByte(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") }

    /// Unreserved, gen-delims and sub-delims of RFC 3986 (`%` is handled apart).
    private static func isURLByte(_ b: UInt8) -> Bool {
        if PercentEncoding.isUnreserved(b) { return true }
        return Array(":/?#[]@!$&'()*+,;=".utf8).contains(b)
    }
}
