/// `[pbx] source = "stream"`: call events from a bridge over HTTP(S) or a Unix socket, as
/// NDJSON lines or server-sent events whose `data:` fields are NDJSON events (`docs/pbx/stream.md`).
public struct StreamSourceConfiguration: Sendable, Hashable {
    /// The `http(s)://` URL to `GET`; for a Unix socket, `http://localhost/`.
    public var url: String
    /// A Unix socket to reach the bridge through, instead of TCP.
    public var unixSocketPath: String?
    /// Headers to send (a bearer token, secret headers), secrets marked.
    public var headers: [HeaderField]
    /// CAs to trust for `https://`.
    public var caFile: String?
    /// The first reconnection delay.
    public var reconnectMinimum: Duration
    /// The longest reconnection delay.
    public var reconnectMaximum: Duration
    /// The limit for connecting and for the response header.
    public var connectTimeout: Duration

    /// Creates settings.
    public init(
        url: String, unixSocketPath: String? = nil, headers: [HeaderField] = [], caFile: String? = nil,
        reconnectMinimum: Duration = .seconds(1), reconnectMaximum: Duration = .seconds(60), connectTimeout: Duration = .seconds(10)
    ) {
        self.url = url
        self.unixSocketPath = unixSocketPath
        self.headers = headers
        self.caFile = caFile
        self.reconnectMinimum = reconnectMinimum
        self.reconnectMaximum = reconnectMaximum
        self.connectTimeout = connectTimeout
    }
}
