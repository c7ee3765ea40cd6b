internal import CallPopCore

/// Everything the AMI source needs, filled by the configuration loader from `[pbx]` and `[user]`.
public struct AMISourceConfiguration: Sendable {
    /// `ami://host[:port]` (plain TCP, default port 5038) or `amis://host[:port]` (TLS, default 5039).
    /// IPv6 literals go in brackets: `ami://[2001:db8::5]:5038`.
    public var url: String
    /// The AMI user (`[name]` in `manager.conf`).
    public var username: String
    /// The AMI secret, already read from `password_file` or the environment. Never logged.
    public var secret: String
    /// A PEM file of CAs to trust for `amis://` instead of the system store.
    public var caFile: String?
    /// The user's devices, e.g. `["PJSIP/201", "SIP/201", "IAX2/201", "Local/201"]`
    /// (see `AMIDeviceMatcher.defaultDevices(forNumber:)`).
    public var devices: [String]
    /// Trunk endpoint names (e.g. `["trunk"]`): a call with one is never with a colleague.
    public var trunks: [String]
    /// How to log in: MD5 challenge (default; the secret never crosses the network) or plain.
    public var login: AMILoginMethod
    /// Send a `Ping` after this long without input.
    public var keepaliveInterval: Duration
    /// Give up on a connect, banner, login answer or `Ping` reply after this long.
    public var responseTimeout: Duration
    /// The first reconnection delay; it doubles after each failure.
    public var reconnectMinimum: Duration
    /// The longest reconnection delay.
    public var reconnectMaximum: Duration
    /// Ask the PBX for the user's devices after logging in and report those it names
    /// (`callpop doctor`); the agent leaves it off.
    public var listDevices = false

    /// Creates a configuration; only the URL, credentials and devices have no default.
    public init(
        url: String, username: String, secret: String, caFile: String? = nil, devices: [String],
        trunks: [String] = [], login: AMILoginMethod = .challenge, keepaliveInterval: Duration = .seconds(20),
        responseTimeout: Duration = .seconds(10), reconnectMinimum: Duration = .seconds(1),
        reconnectMaximum: Duration = .seconds(60)
    ) {
        self.url = url
        self.username = username
        self.secret = secret
        self.caFile = caFile
        self.devices = devices
        self.trunks = trunks
        self.login = login
        self.keepaliveInterval = keepaliveInterval
        self.responseTimeout = responseTimeout
        self.reconnectMinimum = reconnectMinimum
        self.reconnectMaximum = reconnectMaximum
    }
}

/// Where to connect, parsed from an `ami://` or `amis://` URL.
public struct AMIEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// Host name or address (IPv6 without brackets).
    public var host: String
    /// TCP port.
    public var port: Int
    /// `true` for `amis://`.
    public var tls: Bool

    /// Parses `ami://host[:port]` or `amis://host[:port]` (an optional trailing `/` is allowed).
    public init(url: String) throws(AMIError) {
        let invalid = AMIError(.invalidConfiguration,
            "pbx url \"\(URIUserinfo.redacted(url))\" is not ami://host[:port] or amis://host[:port]")
        var rest: Substring
        if url.lowercased().hasPrefix("ami://") {
            tls = false
            rest = url.dropFirst(6)
        } else if url.lowercased().hasPrefix("amis://") {
            tls = true
            rest = url.dropFirst(7)
        } else {
            throw invalid
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else { throw invalid }
            self.port = port
        } else {
            port = tls ? 5039 : 5038
        }
        let forbidden: Set<Character> = ["/", "?", "#", "@", " ", "[", "]"]
        guard !host.isEmpty, !host.contains(where: forbidden.contains) else { throw invalid }
    }

    /// `host:port`, with brackets around IPv6 addresses.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
