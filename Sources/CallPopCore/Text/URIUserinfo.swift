/// The user part of URIs the configuration takes (`ami://user:pw@host`, `sip:201:pw@host`,
/// `https://user:token@crm/`): where a password could ride, and the form a URI may be
/// logged in. One policy for every URI, so a new setting cannot forget it.
public enum URIUserinfo {
    /// Whether `uri` carries a password in its userinfo (`user:password@`). `uri` is read as
    /// `scheme:[//]userinfo@host…`; text without a scheme is read as if it followed one.
    public static func hasPassword(_ uri: String) -> Bool {
        guard let userinfo = parts(uri)?.userinfo else { return false }
        return userinfo.contains(":")
    }

    /// Whether `uri` carries any userinfo at all.
    public static func hasUserinfo(_ uri: String) -> Bool {
        parts(uri)?.userinfo != nil
    }

    /// `uri` as it may be logged: for `scheme://` URLs without the userinfo
    /// (`https://crm.example.com/x`), for `sip:`-style URIs, whose user part is the address
    /// itself, without the password (`sip:202@pbx`).
    public static func redacted(_ uri: String) -> String {
        guard let found = parts(uri), let userinfo = found.userinfo else { return uri }
        if found.hierarchical { return found.head + found.rest }
        let user = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return found.head + user + "@" + found.rest
    }

    /// `head` is the scheme with `://` (a URL) or `sip:`/`sips:`; `userinfo` what stands
    /// before the `@` of the authority (of the address, for SIP); `rest` the host and what
    /// follows. Text with another scheme and no `//` (`proxy:pw@host`) is read whole, as
    /// userinfo up to the `@`: when in doubt, a colon there counts as a password.
    private static func parts(_ uri: String) -> (head: String, userinfo: String?, rest: String, hierarchical: Bool)? {
        var head = Substring("")
        var hierarchical = false
        if let marker = uri.firstRange(of: "://"), isScheme(uri[..<marker.lowerBound]) {
            head = uri[..<marker.upperBound]
            hierarchical = true
        } else if let colon = uri.firstIndex(of: ":"), ["sip", "sips"].contains(uri[..<colon].lowercased()) {
            head = uri[...colon]
        }
        let body = uri[head.endIndex...]
        // A URL's authority ends where its path, query or fragment starts; a SIP user part at its first `@`.
        let at = hierarchical
            ? body[..<(body.firstIndex { "/?#".contains($0) } ?? body.endIndex)].lastIndex(of: "@")
            : body[..<(body.firstIndex { "?#".contains($0) } ?? body.endIndex)].firstIndex(of: "@")
        guard let at else { return (String(head), nil, String(body), hierarchical) }
        return (String(head), String(body[..<at]), String(body[body.index(after: at)...]), hierarchical)
    }

    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }
}
