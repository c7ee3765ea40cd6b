import CallPopCore
import CallPopCurl
import CallPopPlatform
import CallPopSIP

/// The I/O thread of the SIP source: one socket (UDP) or connection (TCP, TLS), the state
/// machines of every watched extension, and a `Poller` wait on the socket and the wake
/// pipe until the earliest state-machine deadline. It only executes actions.
final class SubscriptionLoop {
    /// How often an idle TCP connection gets a CRLF keep-alive (RFC 5626 3.5.1).
    static let keepAliveInterval = Duration.seconds(30)
    /// How long a TCP connect may take.
    static let connectTimeout = Duration.seconds(10)
    /// How long a stop waits for the server to answer the un-SUBSCRIBEs.
    static let goodbyeWait = Duration.milliseconds(600)

    private let configuration: SIPSourceConfiguration
    private let link: IOLink<SourceOutput>
    private var machines: [SubscriptionStateMachine]
    private var transport: SIPLink?
    private var server: SocketAddress?
    private var framer = SIPStreamFramer()
    private var nextKeepAlive: ContinuousClock.Instant?
    private var pending: [SourceOutput] = []

    init(configuration: SIPSourceConfiguration, link: IOLink<SourceOutput>, seed: UInt64?) {
        self.configuration = configuration
        self.link = link
        machines = configuration.watchedURIs.enumerated().map { index, watched in
            SubscriptionStateMachine(
                settings: .init(watched: watched, account: configuration.uri, username: configuration.username,
                                password: configuration.password, expires: configuration.expires),
                seed: seed.map { $0 &+ UInt64(index) })
        }
    }

    /// Runs until a stop is requested, then unsubscribes (waiting briefly for the answers).
    func run() {
        connect(now: .now)
        while !link.stopRequested {
            // A full bridge pauses reading: NOTIFYs wait in the server's retransmissions.
            let paused = !link.deliver(&pending)
            let deadline = paused ? nil : nextDeadline
            let socket = transport.map { [($0.fd, paused ? Readiness() : .readable)] } ?? []
            let result = Poller.wait(socket, wake: link.wake, until: deadline)
            if paused { continue }
            if let transport, !result.ready.isEmpty, result.ready[0].contains(.readable) { read(transport) }
            fireTimers(now: .now)
        }
        sayGoodbye()
    }

    private var nextDeadline: ContinuousClock.Instant? {
        let keepAlive = configuration.transport.isReliable && transport != nil ? nextKeepAlive : nil
        return (machines.compactMap(\.nextDeadline) + [keepAlive].compactMap { $0 }).min()
    }

    /// Un-SUBSCRIBEs every subscription and serves the answers (and UDP retransmissions)
    /// until all are answered or `goodbyeWait` passes.
    private func sayGoodbye() {
        let until = ContinuousClock.now + Self.goodbyeWait
        for index in machines.indices {
            execute(machines[index].stop(now: .now), replyTo: nil)
        }
        while let transport, ContinuousClock.now < until, machines.contains(where: { !$0.isIdle }) {
            pending.removeAll()  // nobody takes events any more
            let result = Poller.wait([(transport.fd, .readable)], wake: nil, until: min(until, nextDeadline ?? until))
            if result.ready[0].contains(.readable) { read(transport) }
            fireTimers(now: .now)
        }
    }

    // MARK: - Connection

    /// Where requests go: the outbound proxy, else the URI's host, located per RFC 3263
    /// (SRV for a name without port, then A/AAAA; NAPTR is not consulted).
    private func serverCandidates() -> [(host: String, port: UInt16)] {
        let uri = configuration.outboundProxy ?? configuration.uri
        let srv = SIPServerLocator.srvName(host: uri.host, port: uri.port, transport: configuration.transport)
            .map { DNSSRVParser.records(in: resolverQuery($0, type: 33 /* SRV */)) } ?? []
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
    private func connect(now: ContinuousClock.Instant) {
        var lastError = "no server address"
        for (host, port) in serverCandidates() {
            if configuration.transport == .tls {
                // libcurl resolves and verifies the certificate against the name itself.
                do {
                    let stream = try CurlStream(
                        host: host, port: Int(port), tls: true, caFile: configuration.caFile,
                        connectTimeoutMilliseconds: Int(Self.connectTimeout / .milliseconds(1)),
                        abandonWhenReadable: link.wake.readEnd)
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

    private func open(_ address: SocketAddress) throws(PlatformError) {
        let opened: SIPLink = configuration.transport.isReliable
            ? .stream(try Socket.tcp(to: address, until: .now + Self.connectTimeout, wake: link.wake))
            : .datagram(try Socket.udp(towards: address, port: configuration.localPort ?? 0))
        try self.opened(opened, server: address)
    }

    private func opened(_ opened: SIPLink, server address: SocketAddress?) throws(PlatformError) {
        let local = try localAddressOf(opened.fd).hostAndPort
        transport = opened
        server = address
        framer = SIPStreamFramer()
        nextKeepAlive = .now + Self.keepAliveInterval
        let endpoint = LocalEndpoint(host: local.host, port: local.port, transport: configuration.transport)
        for index in machines.indices {
            execute(machines[index].start(local: endpoint, now: .now), replyTo: nil)
        }
    }

    private func disconnect(reason: String, now: ContinuousClock.Instant) {
        transport = nil
        nextKeepAlive = nil
        for index in machines.indices {
            execute(machines[index].transportLost(reason: reason, now: now), replyTo: nil)
        }
    }

    // MARK: - Input

    private func read(_ transport: SIPLink) {
        if case .datagram(let socket) = transport {
            // Bounded per turn, so a flood of datagrams cannot keep the loop from its timers.
            for _ in 0..<64 {
                guard let (bytes, source) = socket.receiveDatagram() else { return }
                do {
                    dispatch(try SIPMessageParser.parseDatagram(bytes), from: source)
                } catch {
                    pending.append(.report(SourceReport(.warning, "ignored a datagram from \(source): \(error)")))
                }
            }
            return
        }
        while true {
            switch transport.read() {
            case .wouldBlock:
                return
            case .closed(let reason):
                disconnect(reason: reason, now: .now)
                return
            case .bytes(let bytes):
                framer.append(bytes)
                do {
                    while let message = try framer.nextMessage() { dispatch(message, from: server) }
                } catch {
                    disconnect(reason: "\(error)", now: .now)
                    return
                }
            }
        }
    }

    private func dispatch(_ message: SIPMessage, from source: SocketAddress?) {
        if let index = machines.firstIndex(where: { $0.owns(message) }) {
            execute(machines[index].receive(message, now: .now), replyTo: source)
        } else if message.method != nil, let reply = SIPResponder.responseToStray(message) {
            send(reply, to: source)
        }
    }

    // MARK: - Timers and output

    private func fireTimers(now: ContinuousClock.Instant) {
        if configuration.transport.isReliable, let due = nextKeepAlive, now >= due, let transport {
            nextKeepAlive = now + Self.keepAliveInterval
            if !transport.write(Array("\r\n\r\n".utf8)) { disconnect(reason: "keep-alive failed", now: now) }
        }
        guard machines.contains(where: { ($0.nextDeadline ?? now + .seconds(1)) <= now }) else { return }
        if transport == nil {
            // A reconnect restarts every subscription, so it replaces their timers.
            connect(now: now)
            return
        }
        for index in machines.indices where (machines[index].nextDeadline ?? now + .seconds(1)) <= now {
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
                pending.append(.event(event))
            case .report(let report):
                pending.append(.report(report))
            }
        }
    }

    private func send(_ message: SIPMessage, to destination: SocketAddress?) {
        switch transport {
        case nil:
            return
        case .datagram(let socket):
            // UDP send errors are left to the retransmission timers.
            if let destination { socket.send(message.serialized(), to: destination) }
        case .some(let connection):
            if !connection.write(message.serialized()) { disconnect(reason: "send failed", now: .now) }
            nextKeepAlive = .now + Self.keepAliveInterval
        }
    }
}
