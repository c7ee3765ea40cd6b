/// The hosts a directory's record URLs may point to (`record_hosts`): `crm.example.com`, or
/// `*.example.com` for it and every host under it. A contact's URL is text from an address
/// book or a CRM answer; a rule may open it whole (`url = "{CONTACTURL}"`), so only `http`
/// and `https` URLs on these hosts are kept — anything else could send the user anywhere.
public struct RecordHosts: Sendable, Hashable {
    /// The patterns, lower-cased.
    public let patterns: [String]

    /// Hosts from `patterns` (`crm.example.com`, `*.example.com`, `crm.example.com:8443`).
    public init(_ patterns: [String]) {
        self.patterns = patterns.map { $0.lowercased() }
    }

    /// Whether a pattern is one callpop can use: a host name or address, optionally with a
    /// port, optionally `*.` before a name.
    public static func isValidPattern(_ pattern: String) -> Bool {
        var name = Substring(pattern)
        if name.hasPrefix("*.") { name = name.dropFirst(2) }
        return !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
        }
    }

    /// Whether `url` is an `http(s)` URL whose host (and port, when the pattern names one)
    /// a pattern admits. User information (`user@`) is refused: it hides the real host.
    ///
    /// Everything here is in bytes, as a browser reads the URL: a combining mark after `/`,
    /// `?`, `#` or `@` forms one `Character` with it, and a `Character` search passed over it
    /// (`https://evil.example/\u{301}.example.com` was admitted for `*.example.com`).
    public func admits(_ url: String) -> Bool {
        guard let authority = Self.authority(of: url), !authority.utf8.contains(UInt8(ascii: "@")) else { return false }
        let lowered = authority.lowercased()
        let host = Self.hostWithoutPort(lowered)
        return patterns.contains { pattern in
            let patternHasPort = Self.hostWithoutPort(pattern) != pattern
            let candidate = (patternHasPort ? lowered : host).utf8
            if pattern.hasPrefix("*.") {
                let suffix = pattern.utf8.dropFirst(1)  // ".example.com"
                return candidate.elementsEqual(suffix.dropFirst()) || candidate.reversed().starts(with: suffix.reversed())
            }
            return candidate.elementsEqual(pattern.utf8)
        }
    }

    /// The host (and port) of an `http(s)` URL, lower-cased, without user information: the
    /// default pattern for a directory's own server.
    public static func host(of url: String) -> String? {
        guard let authority = authority(of: url) else { return nil }
        let utf8 = authority.utf8
        let host = utf8.lastIndex(of: UInt8(ascii: "@")).map { Substring(utf8[utf8.index(after: $0)...]) } ?? authority
        return host.isEmpty ? nil : host.lowercased()
    }

    /// The authority of an `http://` or `https://` URL (`host[:port]`), or nil.
    static func authority(of url: String) -> Substring? {
        let lowered = String(decoding: url.utf8.prefix(8), as: UTF8.self).lowercased()
        let start: Int
        if lowered.hasPrefix("https://") { start = 8 } else if lowered.hasPrefix("http://") { start = 7 } else { return nil }
        let rest = Substring(url).utf8.dropFirst(start)
        let authority = rest.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        return authority.isEmpty ? nil : Substring(authority)
    }

    /// `host` from `host:port` (`[v6]:port` keeps its brackets), in bytes.
    private static func hostWithoutPort(_ authority: String) -> String {
        let bytes = authority.utf8
        if bytes.first == UInt8(ascii: "[") { return String(decoding: bytes.prefix { $0 != UInt8(ascii: "]") }, as: UTF8.self) + "]" }
        guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")) else { return authority }
        return String(decoding: bytes[..<colon], as: UTF8.self)
    }
}
