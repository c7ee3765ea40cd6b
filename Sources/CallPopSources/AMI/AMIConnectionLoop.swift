import CallPopCore
import CallPopAMI
import CallPopCurl
import CallPopPlatform

/// The blocking side of the AMI source, run on its own thread: connect, execute the
/// session's actions, wait in `Poller` until input, the session's next deadline or a
/// wake-up, reconnect with backoff. It never spins: every wait has the exact deadline of
/// the next thing that must happen.
///
/// Backpressure: events go to the bridge; when it is full the loop stops reading the
/// socket (and the session's keep-alive clock with it) until the agent has caught up, so
/// a flooding PBX fills its own send buffer, not the agent's memory.
struct AMIConnectionLoop {
    /// How long a stop may wait for the PBX's answer to `Logoff` before closing anyway.
    static let goodbyeWait = Duration.milliseconds(500)
    /// The most reads of one wake-up before the loop hands over what it decoded.
    static let readsPerTurn = 4

    let configuration: AMISourceConfiguration
    let endpoint: AMIEndpoint
    let link: IOLink<SourceOutput>
    /// Click-to-dial requests from the agent, sent on this loop's session.
    let dials: AMIDialChannel

    private enum ConnectionEnd {
        case session(AMISession.End)
        case lost(String)
        case stopRequested
    }

    /// Runs until stopped (returns nil) or the login is refused.
    func run() -> SourceError? {
        var session = AMISession(
            configuration: .init(
                username: configuration.username, secret: configuration.secret, login: configuration.login,
                keepaliveInterval: configuration.keepaliveInterval, responseTimeout: configuration.responseTimeout,
                listDevices: configuration.listDevices),
            mapper: AMICallMapper(matcher: AMIDeviceMatcher(devices: configuration.devices, trunks: configuration.trunks)))
        var backoff = Backoff(minimum: configuration.reconnectMinimum, maximum: configuration.reconnectMaximum)
        var random = SystemRandomNumberGenerator()
        var pending: [SourceOutput] = []
        var book = AMIDialBook(channel: dials)
        dials.attach(link.wake)
        defer {
            dials.detach()
            book.close(&session)
        }
        while !link.stopRequested {
            pending.append(.report(SourceReport(.info, "connecting to AMI at \(endpoint)", connection: .connecting)))
            let end: ConnectionEnd
            do {
                let stream = try CurlStream(
                    host: endpoint.host, port: endpoint.port, tls: endpoint.tls, caFile: configuration.caFile,
                    connectTimeoutMilliseconds: Int(configuration.responseTimeout / .milliseconds(1)),
                    abandonWhenReadable: link.wake.readEnd)
                var loggedInAt: ContinuousClock.Instant?
                end = serve(stream, session: &session, book: &book, loggedInAt: &loggedInAt, pending: &pending)
                session.disconnected()
                book.settle(&session)
                if let loggedInAt { backoff.connectionEnded(after: .now - loggedInAt) }
            } catch {
                // The wake pipe also signals room in the bridge: only a stop ends the loop.
                if error.code == CurlError.abortedCode {
                    link.wake.drain()
                    continue
                }
                end = .lost("cannot connect to AMI at \(endpoint): \(error.message)")
            }
            switch end {
            case .stopRequested, .session(.loggedOff):
                return nil
            case .session(.loginRejected(let message)):
                pending.append(.report(SourceReport(.error, message, connection: .failed)))
                _ = link.deliver(&pending)
                return SourceError(.loginRejected, message)
            case .session(.stalled(let reason)):
                retry(after: "AMI connection to \(endpoint) stalled: \(reason)", &backoff, &random, &pending, &session, &book)
            case .session(.closedByPeer):
                retry(after: "the PBX at \(endpoint) ended the AMI session", &backoff, &random, &pending, &session, &book)
            case .lost(let reason):
                retry(after: reason, &backoff, &random, &pending, &session, &book)
            }
        }
        return nil
    }

    private func retry(
        after reason: String, _ backoff: inout Backoff, _ random: inout SystemRandomNumberGenerator, _ pending: inout [SourceOutput],
        _ session: inout AMISession, _ book: inout AMIDialBook
    ) {
        let delay = backoff.nextDelay(using: &random)
        var streak = ""
        switch backoff.shortConnections {
        case 0: break
        case 1: streak = " (it ended within \(backoff.stableAfter) of the login)"
        case let n: streak = " (\(n) short connections in a row: each ended within \(backoff.stableAfter) of its login)"
        }
        pending.append(.report(SourceReport(.warning, "\(reason)\(streak); reconnecting in \(delay)", connection: .disconnected)))
        let until = ContinuousClock.now + delay
        while !link.stopRequested, ContinuousClock.now < until {
            _ = link.deliver(&pending)
            // Dials that wait for the connection are refused when their time is up.
            _ = book.turn(&session, at: .now)
            _ = Poller.wait([], wake: link.wake, until: [until, book.nextExpiry].compactMap { $0 }.min())
        }
    }

    /// One connection, from the banner to its end.
    private func serve(
        _ stream: CurlStream, session: inout AMISession, book: inout AMIDialBook,
        loggedInAt: inout ContinuousClock.Instant?, pending: inout [SourceOutput]
    ) -> ConnectionEnd {
        var actions = session.connected(at: .now)
        var outbox: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var stopDeadline: ContinuousClock.Instant?
        var lost: ConnectionEnd?
        // TLS may hold decrypted bytes the socket no longer signals: read before polling again.
        var inputMayWait = false
        while true {
            if stopDeadline == nil { actions += book.turn(&session, at: .now) }
            for action in actions {
                switch action {
                case .send(let bytes): outbox += bytes
                case .emit(let event): pending.append(.event(event))
                case .report(let report):
                    if report.connection == .connected { loggedInAt = .now }
                    pending.append(.report(report))
                case .close(let end):
                    _ = try? stream.send(outbox[...])  // best effort, e.g. a last Logoff
                    return .session(end)
                }
            }
            actions = []
            if let lost { return lost }
            if !outbox.isEmpty {
                do {
                    let sent = try stream.send(outbox[...])
                    outbox.removeFirst(sent)
                } catch {
                    return .lost("AMI connection to \(endpoint) failed while sending: \(error.message)")
                }
            }
            // Stopping: nobody takes outputs any more; say goodbye and wait briefly for the answer.
            let paused: Bool
            if stopDeadline == nil, link.stopRequested {
                stopDeadline = .now + Self.goodbyeWait
                actions = session.shutdown(at: .now)
                if !session.isLoggedIn { return .stopRequested }
                continue
            }
            if let stopDeadline {
                pending.removeAll()
                if ContinuousClock.now >= stopDeadline { return .stopRequested }
                paused = false
            } else {
                paused = !link.deliver(&pending)
            }
            let deadline: ContinuousClock.Instant? =
                paused ? nil : inputMayWait ? .now
                : [session.nextDeadline, session.nextWarningSummary, stopDeadline, book.nextExpiry].compactMap { $0 }.min()
            var interest: Readiness = paused ? [] : .readable
            if !outbox.isEmpty { interest.insert(.writable) }
            let result = Poller.wait([(stream.socket, interest)], wake: link.wake, until: deadline)
            if paused { continue }
            if result.ready[0].contains(.readable) || inputMayWait {
                // Actions read before a close still run (events, a Goodbye) before the loss is handled.
                (lost, inputMayWait) = read(stream, into: &buffer, session: &session, actions: &actions)
            }
            if let due = session.nextDeadline, ContinuousClock.now >= due {
                actions += session.deadlinePassed(at: .now)
            }
            if let due = session.nextWarningSummary, ContinuousClock.now >= due {
                actions += session.warningSummaries(at: .now)
            }
        }
    }

    /// Reads up to `readsPerTurn` times; returns how the connection ended, if it did, and
    /// whether more input may be waiting.
    private func read(
        _ stream: CurlStream, into buffer: inout [UInt8], session: inout AMISession, actions: inout [AMISession.Action]
    ) -> (ConnectionEnd?, Bool) {
        for _ in 0..<Self.readsPerTurn {
            do {
                switch try stream.read(into: &buffer) {
                case .bytes(let count):
                    actions += session.received(buffer[..<count], at: .now)
                    // A plain socket gives all it holds, up to the buffer: a short read emptied it,
                    // and polling again costs less than a read that would block. (TLS may keep
                    // decrypted bytes back; it reads on until `wouldBlock`.)
                    if count < buffer.count, !endpoint.tls { return (nil, false) }
                case .wouldBlock: return (nil, false)
                case .closed: return (.lost("the PBX at \(endpoint) closed the AMI connection"), false)
                }
            } catch {
                return (.lost("AMI connection to \(endpoint) failed: \(error.message)"), false)
            }
        }
        return (nil, true)
    }
}
