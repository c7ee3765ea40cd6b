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

    /// Parses a URI; `nil` when it has no scheme. Delimiters are found by Unicode scalars
    /// (`SIPText.cut`): `sip:\u{301}201@…` has a scheme, and `;\u{301}transport=tcp` is a
    /// parameter, not part of the host.
    public init?(_ text: String) {
        let raw = SIPText.trim(text)
        guard case let (head, afterScheme)? = SIPText.cut(raw, at: ":"), !head.isEmpty else { return nil }
        let scheme = head.lowercased()
        guard scheme.utf8.allSatisfy({ Self.isSchemeByte($0) }) else { return nil }
        self.scheme = scheme
        self.raw = raw
        // Headers (`?...`) are irrelevant here.
        let rest = SIPText.cut(afterScheme, at: "?")?.before ?? afterScheme
        let semicolon = SIPText.cut(rest, at: ";")
        let base = semicolon?.before ?? rest
        parameters = SIPText.parameters(semicolon?.after ?? "")
        port = nil
        if scheme == "tel" {
            user = SIPText.percentDecode(String(base))
            host = ""
            return
        }
        var hostPort = base
        if case let (userInfo, afterAt)? = SIPText.cut(base, at: "@", fromEnd: true) {
            user = SIPText.percentDecode(String(SIPText.cut(userInfo, at: ":")?.before ?? userInfo))
            hostPort = afterAt
        } else {
            user = ""
        }
        if hostPort.unicodeScalars.first == "[", case let (inside, after)? = SIPText.cut(Substring(hostPort.unicodeScalars.dropFirst()), at: "]") {
            host = String(inside)
            if case let (empty, portText)? = SIPText.cut(after, at: ":"), empty.isEmpty { port = UInt16(portText) }
        } else if case let (name, portText)? = SIPText.cut(hostPort, at: ":", fromEnd: true) {
            host = String(name)
            port = UInt16(portText)
        } else {
            host = String(hostPort)
        }
    }

    /// RFC 3261 scheme characters: ASCII letters and digits, `+`, `-`, `.`.
    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."): true
        default: false
        }
    }

    /// The raw text.
    public var description: String { raw }

    /// The URI as log lines show it: never with a password (`sip:202:pw@h` → `sip:202@h`).
    public var logged: String { URIUserinfo.redacted(raw) }

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

    /// Parses `"Name" <uri>;params`, `Name <uri>`, `<uri>` or a bare `uri;params`; `<`, `>`
    /// and `;` are found by Unicode scalars, so a combining mark after one does not hide it.
    public init?(_ text: String) {
        let value = SIPText.trim(text)
        let scalars = value.unicodeScalars
        if let open = Self.firstUnquoted("<", in: value) {
            let inside = scalars[scalars.index(after: open)...]
            guard let close = inside.firstIndex(of: ">"), let uri = SIPURI(String(Substring(inside[..<close]))) else { return nil }
            let name = SIPText.trim(Substring(scalars[..<open]))
            let display = UntrustedText.templateValue(SIPText.unquote(name))
            displayName = display.isEmpty ? nil : display
            self.uri = uri
            parameters = SIPText.parameters(Substring(scalars[scalars.index(after: close)...]))
        } else {
            // addr-spec: parameters after the URI belong to the header, not the URI.
            let semicolon = SIPText.cut(value, at: ";")
            guard let uri = SIPURI(String(semicolon?.before ?? Substring(value))) else { return nil }
            displayName = nil
            self.uri = uri
            parameters = SIPText.parameters(semicolon?.after ?? "")
        }
    }

    /// The first `target` outside a quoted display name, by Unicode scalars.
    private static func firstUnquoted(_ target: Unicode.Scalar, in text: String) -> String.Index? {
        var inQuotes = false
        var escaped = false
        let scalars = text.unicodeScalars
        for index in scalars.indices {
            let scalar = scalars[index]
            if escaped { escaped = false; continue }
            if inQuotes && scalar == "\\" { escaped = true; continue }
            if scalar == "\"" { inQuotes.toggle(); continue }
            if !inQuotes && scalar == target { return index }
        }
        return nil
    }
}
