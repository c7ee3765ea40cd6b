/// A password that never shows in logs, `print` or `dump` output.
public struct SIPSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself; read only where a digest is computed.
    public let value: String

    /// Wraps a secret.
    public init(_ value: String) { self.value = value }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }
    /// Hides the value from `dump` and `Mirror`.
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// The transport to the SIP server.
public enum SIPTransport: String, Sendable, Hashable, CaseIterable {
    /// UDP with retransmissions (RFC 3261 17.1.2).
    case udp
    /// One TCP connection, Content-Length framing, CRLF keep-alives.
    case tcp
    /// TLS over TCP (`sips:`), certificate and host name verified (libcurl).
    case tls

    /// The Via transport token.
    var viaToken: String { rawValue.uppercased() }
    /// Whether the transport retransmits for us.
    public var isReliable: Bool { self != .udp }
}

/// Everything the SIP dialog-event source needs; the configuration loader fills it
/// from `[pbx] source = "sip"` (the password from `password_file` or the environment).
public struct SIPSourceConfiguration: Sendable, Hashable {
    /// The user's own address of record, e.g. `sip:201@pbx.example.com` (config `uri`).
    public var uri: SIPURI
    /// The digest user name (config `username`, default the URI user).
    public var username: String
    /// The digest password (config `password_file` / environment), never logged.
    public var password: SIPSecret
    /// The transport (config `transport`, default `udp`).
    public var transport: SIPTransport
    /// Where to send requests instead of the URI's host, e.g. `sip:proxy.example.com:5060`
    /// (config `outbound_proxy`).
    public var outboundProxy: SIPURI?
    /// The subscription duration asked for, in seconds (config `expires`, default 600).
    public var expires: Int
    /// Further extensions to watch besides the user's own, e.g. `["202"]` or full URIs
    /// (config `extensions`); each gets its own subscription, authenticated as the user.
    public var extraExtensions: [String]
    /// The local UDP port to bind (config `local_port`), for firewalls that only let a
    /// known port through; `nil` lets the system choose. Ignored for TCP.
    public var localPort: UInt16?
    /// A PEM file of CAs trusted for TLS instead of the system store (config `ca_file`).
    public var caFile: String?

    /// Creates a configuration; `username` defaults to the URI's user part.
    public init(
        uri: SIPURI, username: String? = nil, password: SIPSecret, transport: SIPTransport = .udp,
        outboundProxy: SIPURI? = nil, expires: Int = 600, extraExtensions: [String] = [],
        localPort: UInt16? = nil, caFile: String? = nil
    ) {
        self.uri = uri
        self.username = username ?? uri.user
        self.password = password
        self.transport = transport
        self.outboundProxy = outboundProxy
        self.expires = expires
        self.extraExtensions = extraExtensions
        self.localPort = localPort
        self.caFile = caFile
    }

    /// Builds a configuration from the `[pbx]` values as written in the config file,
    /// with errors that name the key and say what is expected.
    public static func validated(
        uri: String, username: String? = nil, password: String, transport: String? = nil,
        outboundProxy: String? = nil, expires: Int? = nil, extensions: [String] = [],
        localPort: Int? = nil, caFile: String? = nil
    ) throws(SIPError) -> SIPSourceConfiguration {
        guard let parsedURI = SIPURI(uri), ["sip", "sips"].contains(parsedURI.scheme), !parsedURI.user.isEmpty, !parsedURI.host.isEmpty else {
            throw SIPError(.invalidSetting, "pbx.uri must be a SIP address like \"sip:201@pbx.example.com\"", key: "pbx.uri")
        }
        let parsedTransport = try transport.map { (text: String) throws(SIPError) -> SIPTransport in
            guard let value = SIPTransport(rawValue: text.lowercased()) else {
                throw SIPError(.invalidSetting, "pbx.transport must be \"udp\", \"tcp\" or \"tls\"", key: "pbx.transport")
            }
            return value
        } ?? (parsedURI.scheme == "sips" ? .tls : .udp)
        let proxy = try outboundProxy.map { (text: String) throws(SIPError) -> SIPURI in
            let lower = text.lowercased()
            let withScheme = lower.hasPrefix("sip:") || lower.hasPrefix("sips:") ? text : "sip:" + text
            guard let value = SIPURI(withScheme), !value.host.isEmpty else {
                throw SIPError(.invalidSetting, "pbx.outbound_proxy must be a host[:port] or a sip: URI", key: "pbx.outbound_proxy")
            }
            return value
        }
        let duration = expires ?? 600
        guard (60...86400).contains(duration) else { throw SIPError(.invalidSetting, "pbx.expires must be between 60 and 86400 seconds", key: "pbx.expires") }
        if let localPort, !(1...65535).contains(localPort) { throw SIPError(.invalidSetting, "pbx.local_port must be between 1 and 65535", key: "pbx.local_port") }
        guard !password.isEmpty else { throw SIPError(.invalidSetting, "the SIP password is empty: set pbx.password_file or the password environment variable", key: "pbx.password_file") }
        return SIPSourceConfiguration(
            uri: parsedURI, username: username.flatMap { $0.isEmpty ? nil : $0 }, password: SIPSecret(password),
            transport: parsedTransport, outboundProxy: proxy, expires: duration, extraExtensions: extensions,
            localPort: localPort.map { UInt16($0) }, caFile: caFile)
    }

    /// The addresses of record to watch: the user's own first, then the extra ones
    /// (a bare extension becomes `sip:<ext>@<domain of uri>`).
    public var watchedURIs: [SIPURI] {
        var result = [uri]
        for extra in extraExtensions {
            let text = extra.contains(":") ? extra : "sip:\(extra)@\(uri.hostPort)"
            if let parsed = SIPURI(text), !result.contains(where: { $0.raw == parsed.raw }) { result.append(parsed) }
        }
        return result
    }
}
