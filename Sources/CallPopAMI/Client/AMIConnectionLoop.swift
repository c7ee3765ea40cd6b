import CallPopCore
import CallPopCurl
import CallPopPlatform

/// The blocking side of the AMI source, run on its own thread: connect,
/// execute the session's actions, wait in `poll` until input, the session's
/// next deadline or a wake-up, reconnect with backoff. It never spins: every
/// wait is a `poll` with the exact time to the next thing that must happen.
struct AMIConnectionLoop {
    /// What the loop hands to the async side.
    enum Output: Sendable {
        case emit(CallEvent)
        case report(SourceReport)
    }

    let configuration: AMISourceConfiguration
    let endpoint: AMIEndpoint
    let wake: WakePipe
    let deliver: @Sendable (Output) -> Void

    private enum ConnectionEnd {
        case session(AMISession.End)
        case lost(String)
        case stopRequested
    }

    /// Runs until stopped (returns) or the login is refused (throws).
    func run() throws(AMIError) {
        var session = AMISession(
            configuration: .init(
                username: configuration.username, secret: configuration.secret, login: configuration.login,
                keepaliveInterval: configuration.keepaliveInterval, responseTimeout: configuration.responseTimeout),
            mapper: AMICallMapper(matcher: AMIDeviceMatcher(devices: configuration.devices, trunks: configuration.trunks)))
        var backoff = Backoff(minimum: configuration.reconnectMinimum, maximum: configuration.reconnectMaximum)
        var random = SystemRandomNumberGenerator()
        while !wake.isAwake() {
            deliver(.report(SourceReport(.info, "connecting to AMI at \(endpoint)", connection: .connecting)))
            let end: ConnectionEnd
            do {
                let stream = try CurlStream(
                    host: endpoint.host, port: endpoint.port, tls: endpoint.tls, caFile: configuration.caFile,
                    connectTimeoutMilliseconds: Int(configuration.responseTimeout / .milliseconds(1)),
                    abandonWhenReadable: wake.readEnd)
                end = serve(stream, session: &session, backoff: &backoff)
                session.disconnected()
            } catch {
                if error.code == CurlError.abortedCode { return }  // cancelled while connecting
                end = .lost("cannot connect to AMI at \(endpoint): \(error.message)")
            }
            switch end {
            case .stopRequested, .session(.loggedOff):
                return
            case .session(.loginRejected(let message)):
                deliver(.report(SourceReport(.error, message, connection: .failed)))
                throw AMIError(.loginRejected, message)
            case .session(.stalled(let reason)):
                retry(after: "AMI connection to \(endpoint) stalled: \(reason)", &backoff, &random)
            case .session(.closedByPeer):
                retry(after: "the PBX at \(endpoint) ended the AMI session", &backoff, &random)
            case .lost(let reason):
                retry(after: reason, &backoff, &random)
            }
        }
    }

    private func retry(after reason: String, _ backoff: inout Backoff, _ random: inout SystemRandomNumberGenerator) {
        let delay = backoff.nextDelay(using: &random)
        deliver(.report(SourceReport(.warning, "\(reason); reconnecting in \(delay)", connection: .disconnected)))
        _ = waitFor(socket: -1, writable: false, wake: wake, timeout: delay)
    }

    /// One connection, from the banner to its end.
    private func serve(_ stream: CurlStream, session: inout AMISession, backoff: inout Backoff) -> ConnectionEnd {
        var actions = session.connected(at: .now)
        var outbox: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var stopping = false
        var lost: ConnectionEnd?
        while true {
            for action in actions {
                switch action {
                case .send(let bytes): outbox += bytes
                case .emit(let event): deliver(.emit(event))
                case .report(let report):
                    if report.connection == .connected { backoff.reset() }
                    deliver(.report(report))
                case .close(let end):
                    _ = try? stream.send(outbox[...])  // best effort, e.g. a last Logoff
                    return .session(end)
                }
            }
            actions = []
            if let lost { return lost }
            do {
                let sent = try stream.send(outbox[...])
                outbox.removeFirst(sent)
            } catch {
                return .lost("AMI connection to \(endpoint) failed while sending: \(error.message)")
            }
            if !stopping, wake.isAwake() {
                stopping = true
                actions = session.shutdown(at: .now)
                if !session.isLoggedIn { return .stopRequested }
                continue
            }
            let deadline = session.nextDeadline
            let result = waitFor(
                socket: stream.socket, writable: !outbox.isEmpty, wake: stopping ? nil : wake, timeout: deadline.map { $0 - .now })
            if result.woken, !stopping { continue }
            if result.socketReadable {
                // Actions read before a close still run (events, a Goodbye) before the loss is handled.
                lost = readAll(stream, into: &buffer, session: &session, actions: &actions)
            }
            if let deadline, ContinuousClock.now >= deadline {
                actions += session.deadlinePassed(at: .now)
            }
        }
    }

    /// Reads until the stream would block (TLS may hold decrypted bytes the socket no longer
    /// signals); returns how the connection ended, if it did.
    private func readAll(
        _ stream: CurlStream, into buffer: inout [UInt8], session: inout AMISession, actions: inout [AMISession.Action]
    ) -> ConnectionEnd? {
        while true {
            do {
                switch try stream.read(into: &buffer) {
                case .bytes(let count): actions += session.received(buffer[..<count], at: .now)
                case .wouldBlock: return nil
                case .closed: return .lost("the PBX at \(endpoint) closed the AMI connection")
                }
            } catch {
                return .lost("AMI connection to \(endpoint) failed: \(error.message)")
            }
        }
    }
}
