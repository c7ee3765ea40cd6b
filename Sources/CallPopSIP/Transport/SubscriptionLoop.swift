import CallPopCore
import CallPopCurl

/// What the I/O thread hands to the async side.
enum LoopOutput: Sendable {
    case event(CallEvent)
    case report(SourceReport)
}

/// The I/O thread of the SIP source: one socket (UDP) or connection (TCP, TLS), the state
/// machines of every watched extension, and a `poll` on the socket and a wake pipe
/// with the earliest state-machine deadline as timeout. It only executes actions.
final class SubscriptionLoop {
    /// How often an idle TCP connection gets a CRLF keep-alive (RFC 5626 3.5.1).
    static let keepAliveInterval = 30.0
    /// How long a TCP connect may take.
    static let connectTimeout = 10.0

    private let configuration: SIPSourceConfiguration
    private let wakeFD: Int32
    private let output: @Sendable (LoopOutput) -> Void
    private var machines: [SubscriptionStateMachine]
    private var link: SIPLink?
    private var server: SocketAddress?
    private var framer = SIPStreamFramer()
    private var nextKeepAlive = Double.infinity
    private var connected = false

    init(configuration: SIPSourceConfiguration, wakeFD: Int32, seed: UInt64?, output: @escaping @Sendable (LoopOutput) -> Void) {
        self.configuration = configuration
        self.wakeFD = wakeFD
        self.output = output
        machines = configuration.watchedURIs.enumerated().map { index, watched in
            SubscriptionStateMachine(
                settings: .init(watched: watched, account: configuration.uri, username: configuration.username,
                                password: configuration.password, expires: configuration.expires),
                seed: seed.map { $0 &+ UInt64(index) })
        }
    }

    /// Runs until the wake pipe is signalled.
    func run() {
        connect(now: monotonicSeconds())
        while true {
            let now = monotonicSeconds()
            let deadlines = machines.compactMap(\.nextDeadline) + (connected && configuration.transport.isReliable ? [nextKeepAlive] : [])
            let timeout = deadlines.min().map { max(0, $0 - now) }
            let ready = waitReadable([wakeFD] + (link.map { [$0.fd] } ?? []), timeout: timeout)
            if ready.contains(wakeFD) { break }
            if let link, ready.contains(link.fd) { read(link) }
            fireTimers(now: monotonicSeconds())
        }
        let now = monotonicSeconds()
        for index in machines.indices {
            execute(machines[index].stop(now: now), replyTo: nil)
        }
    }

    // MARK: - Connection

    /// Where requests go: the outbound proxy, else the URI's host, located per RFC 3263
    /// (SRV for a name without port, then A/AAAA; NAPTR is not consulted).
    private func serverCandidates() -> [(host: String, port: UInt16)] {
        let uri = configuration.outboundProxy ?? configuration.uri
        let srv = SIPServerLocator.srvName(host: uri.host, port: uri.port, transport: configuration.transport).map(querySRV) ?? []
        let all = SIPServerLocator.candidates(host: uri.host, port: uri.port, transport: configuration.transport, srv: srv)
        guard configuration.transport == .tls else { return all }
        // libcurl verifies the certificate against the name it connects to. An SRV answer
        // (plain DNS, spoofable) must not choose that name: keep only targets inside the
        // configured domain, so the certificate always vouches for the domain we asked for.
        let domain = uri.host.lowercased()
        return all.filter { $0.host.lowercased() == domain || $0.host.lowercased().hasSuffix("." + domain) }
    }

    /// Opens the socket (or connection) to the first reachable candidate and starts every
    /// subscription; when none works, every machine schedules its retry.
    private func connect(now: Double) {
        var lastError = "no server address"
        for (host, port) in serverCandidates() {
            if configuration.transport == .tls {
                // libcurl resolves and verifies the certificate against the name itself.
                do {
                    let stream = try CurlStream(
                        host: host, port: Int(port), tls: true, caFile: configuration.caFile,
                        connectTimeoutMilliseconds: Int(Self.connectTimeout * 1000), abandonWhenReadable: wakeFD)
                    try opened(.tls(stream), server: nil)
                    return
                } catch {
                    lastError = "\(error)"
                    continue
                }
            }
            do {
                let addresses = try resolve(host: host, port: port, stream: configuration.transport.isReliable)
                for address in addresses {
                    do {
                        try open(address)
                        return
                    } catch {
                        lastError = "\(error)"
                    }
                }
                if addresses.isEmpty { lastError = "resolving \(host): no address" }
            } catch {
                lastError = "\(error)"
            }
        }
        disconnect(reason: lastError, now: now)
    }

    private func open(_ address: SocketAddress) throws(SystemCallError) {
        let opened: SIPLink = configuration.transport.isReliable
            ? .stream(try Socket.tcp(to: address, timeout: Self.connectTimeout, wakeFD: wakeFD))
            : .datagram(try Socket.udp(towards: address, port: configuration.localPort ?? 0))
        try self.opened(opened, server: address)
    }

    private func opened(_ opened: SIPLink, server address: SocketAddress?) throws(SystemCallError) {
        let local = try localAddressOf(opened.fd).hostAndPort
        link = opened
        server = address
        framer = SIPStreamFramer()
        connected = true
        nextKeepAlive = monotonicSeconds() + Self.keepAliveInterval
        let endpoint = LocalEndpoint(host: local.host, port: local.port, transport: configuration.transport)
        for index in machines.indices {
            execute(machines[index].start(local: endpoint, now: monotonicSeconds()), replyTo: nil)
        }
    }

    private func disconnect(reason: String, now: Double) {
        link = nil
        connected = false
        for index in machines.indices {
            execute(machines[index].transportLost(reason: reason, now: now), replyTo: nil)
        }
    }

    // MARK: - Input

    private func read(_ link: SIPLink) {
        if case .datagram(let socket) = link {
            while let (bytes, source) = socket.receiveDatagram() {
                do {
                    dispatch(try SIPMessageParser.parseDatagram(bytes), from: source)
                } catch {
                    output(.report(SourceReport(.warning, "ignored a datagram from \(source): \(error)")))
                }
            }
            return
        }
        while true {
            switch link.read() {
            case .wouldBlock:
                return
            case .closed(let reason):
                disconnect(reason: reason, now: monotonicSeconds())
                return
            case .bytes(let bytes):
                framer.append(bytes)
                do {
                    while let message = try framer.nextMessage() { dispatch(message, from: server) }
                } catch {
                    disconnect(reason: "\(error)", now: monotonicSeconds())
                    return
                }
            }
        }
    }

    private func dispatch(_ message: SIPMessage, from source: SocketAddress?) {
        let now = monotonicSeconds()
        if let index = machines.firstIndex(where: { $0.owns(message) }) {
            execute(machines[index].receive(message, now: now), replyTo: source)
        } else if message.method != nil, let reply = SIPResponder.responseToStray(message) {
            send(reply, to: source)
        }
    }

    // MARK: - Timers and output

    private func fireTimers(now: Double) {
        if connected, configuration.transport.isReliable, now >= nextKeepAlive, let link {
            nextKeepAlive = now + Self.keepAliveInterval
            if !link.write(Array("\r\n\r\n".utf8)) { disconnect(reason: "keep-alive failed", now: now) }
        }
        guard machines.contains(where: { ($0.nextDeadline ?? .infinity) <= now }) else { return }
        if !connected {
            // A reconnect restarts every subscription, so it replaces their timers.
            connect(now: now)
            return
        }
        for index in machines.indices where (machines[index].nextDeadline ?? .infinity) <= now {
            execute(machines[index].timeout(now: now), replyTo: nil)
        }
    }

    private func execute(_ actions: [SubscriptionAction], replyTo source: SocketAddress?) {
        for action in actions {
            switch action {
            case .send(let message):
                // Responses go back where the request came from; requests to the next hop.
                send(message, to: message.statusCode != nil ? (source ?? server) : server)
            case .emit(let event):
                output(.event(event))
            case .report(let report):
                output(.report(report))
            }
        }
    }

    private func send(_ message: SIPMessage, to destination: SocketAddress?) {
        switch link {
        case nil:
            return
        case .datagram(let socket):
            // UDP send errors are left to the retransmission timers.
            if let destination { socket.send(message.serialized(), to: destination) }
        case .some(let connection):
            if !connection.write(message.serialized()) { disconnect(reason: "send failed", now: monotonicSeconds()) }
            nextKeepAlive = monotonicSeconds() + Self.keepAliveInterval
        }
    }
}
