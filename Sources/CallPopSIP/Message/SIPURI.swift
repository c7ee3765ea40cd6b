import CallPopCore
/// A `sip:`, `sips:` or `tel:` URI, split far enough for this client (RFC 3261 19.1, RFC 3966).
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    /// `sip`, `sips`, `tel` (lowercase), or another scheme kept as written.
    public var scheme: String
    /// The user part, percent-decoded (`201`, `+441234567890`); for `tel:` the number.
    public var user: String
    /// The host (IPv6 without brackets); empty for `tel:`.
    public var host: String
    /// The port, when written.
    public var port: UInt16?
    /// URI parameters (`transport`, `lr`, `phone-context`), lowercase names.
    public var parameters: [String: String]
    /// The URI exactly as received, for sending back (Request-URI, Route).
    public var raw: String

    /// Parses a URI; `nil` when it has no scheme.
    public init?(_ text: String) {
        let raw = SIPText.trim(text)
        guard let colon = raw.firstIndex(of: ":"), colon != raw.startIndex else { return nil }
        let scheme = raw[..<colon].lowercased()
        guard scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        self.scheme = scheme
        self.raw = raw
        var rest = raw[raw.index(after: colon)...]
        // Headers (`?...`) are irrelevant here.
        if let question = rest.firstIndex(of: "?") { rest = rest[..<question] }
        let semicolon = rest.firstIndex(of: ";") ?? rest.endIndex
        parameters = SIPText.parameters(rest[semicolon...])
        let base = rest[..<semicolon]
        port = nil
        if scheme == "tel" {
            user = SIPText.percentDecode(String(base))
            host = ""
            return
        }
        var hostPort = base
        if let at = base.lastIndex(of: "@") {
            let userInfo = base[..<at]
            let userOnly = userInfo.firstIndex(of: ":").map { userInfo[..<$0] } ?? userInfo
            user = SIPText.percentDecode(String(userOnly))
            hostPort = base[base.index(after: at)...]
        } else {
            user = ""
        }
        if hostPort.first == "[", let close = hostPort.firstIndex(of: "]") {
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.first == ":" { port = UInt16(after.dropFirst()) }
        } else if let portColon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<portColon])
            port = UInt16(hostPort[hostPort.index(after: portColon)...])
        } else {
            host = String(hostPort)
        }
    }

    /// The raw text.
    public var description: String { raw }

    /// `host` or `host:port` (IPv6 bracketed), for Via/Request-URI building.
    public var hostPort: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(shownHost):\($0)" } ?? shownHost
    }
}

/// A `name-addr` or `addr-spec` with header parameters: the value of From, To, Contact,
/// Route, Record-Route (RFC 3261 20.10, 25.1).
public struct SIPAddress: Sendable, Hashable {
    /// The display name, unquoted, control characters removed; `nil` when absent.
    public var displayName: String?
    /// The URI.
    public var uri: SIPURI
    /// Header parameters after the URI (`tag`, `expires`), lowercase names.
    public var parameters: [String: String]

    /// The `tag` parameter.
    public var tag: String? { parameters["tag"] }

    /// Parses `"Name" <uri>;params`, `Name <uri>`, `<uri>` or a bare `uri;params`.
    public init?(_ text: String) {
        let value = SIPText.trim(text)
        if let open = Self.firstUnquoted("<", in: value) {
            guard let close = value[open...].firstIndex(of: ">"),
                  let uri = SIPURI(String(value[value.index(after: open)..<close])) else { return nil }
            let name = SIPText.trim(value[..<open])
            let display = UntrustedText.templateValue(SIPText.unquote(name))
            displayName = display.isEmpty ? nil : display
            self.uri = uri
            parameters = SIPText.parameters(value[value.index(after: close)...])
        } else {
            // addr-spec: parameters after the URI belong to the header, not the URI.
            let semicolon = value.firstIndex(of: ";") ?? value.endIndex
            guard let uri = SIPURI(String(value[..<semicolon])) else { return nil }
            displayName = nil
            self.uri = uri
            parameters = SIPText.parameters(value[semicolon...])
        }
    }

    private static func firstUnquoted(_ target: Character, in text: String) -> String.Index? {
        var inQuotes = false
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if escaped { escaped = false; continue }
            if inQuotes && character == "\\" { escaped = true; continue }
            if character == "\"" { inQuotes.toggle(); continue }
            if !inQuotes && character == target { return index }
        }
        return nil
    }
}
