public import CallPopCore

/// What the subscription state machine asks the I/O layer to do.
public enum SubscriptionAction: Sendable, Hashable {
    /// Send this message to the server (next hop).
    case send(SIPMessage)
    /// Deliver a call event.
    case emit(CallEvent)
    /// Report a notice about the subscription.
    case report(SourceReport)
}

/// Where this client is reachable, as written in Via and Contact.
public struct LocalEndpoint: Sendable, Hashable {
    /// The local address the socket is bound to (IPv6 without brackets).
    public var host: String
    /// The local port.
    public var port: UInt16
    /// The transport.
    public var transport: SIPTransport

    /// Creates an endpoint.
    public init(host: String, port: UInt16, transport: SIPTransport) {
        self.host = host
        self.port = port
        self.transport = transport
    }

    /// `host:port` with IPv6 brackets.
    var hostPort: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }
}
