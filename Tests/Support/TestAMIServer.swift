import CallPopHashing
public import CallPopAMI
public import CallPopCore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A fake Asterisk for the client tests: a real TCP listener on 127.0.0.1 with
/// a random port, on its own thread. Each accepted connection follows the next
/// `Script`: banner, MD5 challenge or plain login (accepted or refused),
/// `CoreShowChannels` answered with the script's snapshot, then the script's
/// event bytes, then close, stall (ignore everything, even `Ping`) or stay
/// open (answer `Ping` and `Logoff`). Connections beyond the scripts are
/// closed at once.
public final class TestAMIServer: Sendable {
    public struct Script: Sendable {
        public enum Ending: Sendable { case close, stall, stayOpen }
        /// Close right after accepting, before the banner (a PBX still starting up).
        public var hangUpAtOnce = false
        public var acceptLogin = true
        /// `CoreShowChannel` events (without ActionID) for the resynchronisation.
        public var snapshot: [UInt8] = []
        /// Played right after `CoreShowChannelsComplete`.
        public var events: [UInt8] = []
        public var then: Ending = .stayOpen
        /// How `Action: Originate` is answered; without one it is refused as unknown.
        public var originate: OriginateReplay?

        /// A script; every part has a default.
        public init(
            hangUpAtOnce: Bool = false, acceptLogin: Bool = true, snapshot: [UInt8] = [], events: [UInt8] = [],
            then: Ending = .stayOpen, originate: OriginateReplay? = nil
        ) {
            self.hangUpAtOnce = hangUpAtOnce
            self.acceptLogin = acceptLogin
            self.snapshot = snapshot
            self.events = events
            self.then = then
            self.originate = originate
        }
    }

    public static let challenge = "1234567890"

    public let port: Int
    private let listener: Int32
    private let stopPipe: (read: Int32, write: Int32)
    private let received = Mutex<[[String]]>([])
    private let done = Mutex(false)

    private let originates = Mutex<[AMIMessage]>([])

    /// The action names each connection sent, in order (e.g. `["Challenge", "Login", "CoreShowChannels", "Logoff"]`).
    public var actions: [[String]] { received.withLock { $0 } }

    /// Every `Action: Originate` received, as sent.
    public var receivedOriginates: [AMIMessage] { originates.withLock { $0 } }

    public init(secret: String, scripts: [Script]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw ServerError("bind/listen failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { close(fd); throw ServerError("pipe failed") }
        stopPipe = (ends[0], ends[1])
        let thread = Thread { [self] in serve(secret: secret, scripts: scripts) }
        thread.start()
    }

    /// Stops the server thread, which closes the listener.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
    }

    deinit {
        close(stopPipe.read)
        close(stopPipe.write)
    }

    // MARK: - Server thread

    /// Waits for `fd` to be readable; `false` when stopped.
    private func waitReadable(_ fd: Int32) -> Bool {
        var entries = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)]
        while poll(&entries, 2, -1) < 0 && errno == EINTR {}
        return entries[1].revents == 0
    }

    private func serve(secret: String, scripts: [Script]) {
        var index = 0
        while waitReadable(listener) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            received.withLock { $0.append([]) }
            if index < scripts.count, !scripts[index].hangUpAtOnce {
                converse(connection, secret: secret, script: scripts[index], number: index)
            }
            index += 1
            close(connection)
        }
        close(listener)  // from here on, connecting to `port` is refused
    }

    private func converse(_ fd: Int32, secret: String, script: Script, number: Int) {
        send(fd, Array("Asterisk Call Manager/11.0.0\r\n".utf8))
        var framer = AMIFramer()
        var stalled = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while waitReadable(fd) {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { return }
            for case .message(let message) in framer.feed(buffer[..<count]) {
                guard let action = message["Action"] else { continue }
                received.withLock { $0[number].append(action) }
                if stalled { continue }
                let id = message.actionID ?? ""
                switch action.lowercased() {
                case "challenge":
                    send(fd, "Response: Success\r\nActionID: \(id)\r\nChallenge: \(Self.challenge)\r\n\r\n")
                case "login":
                    let good = message["Key"] == MD5.hex(Self.challenge + secret) || message["Secret"] == secret
                    send(fd, script.acceptLogin && good
                        ? "Response: Success\r\nActionID: \(id)\r\nMessage: Authentication accepted\r\n\r\n"
                        : "Response: Error\r\nActionID: \(id)\r\nMessage: Authentication failed\r\n\r\n")
                case "coreshowchannels":
                    let entries = String(decoding: script.snapshot, as: UTF8.self)
                        .replacingOccurrences(of: "Event: CoreShowChannel\r\n", with: "Event: CoreShowChannel\r\nActionID: \(id)\r\n")
                    let items = entries.components(separatedBy: "Event: CoreShowChannel\r\n").count - 1
                    send(fd, "Response: Success\r\nActionID: \(id)\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n"
                        + entries
                        + "Event: CoreShowChannelsComplete\r\nActionID: \(id)\r\nEventList: Complete\r\nListItems: \(items)\r\n\r\n")
                    send(fd, script.events)
                    switch script.then {
                    case .close: return
                    case .stall: stalled = true
                    case .stayOpen: break
                    }
                case "originate":
                    originates.withLock { $0.append(message) }
                    guard let replay = script.originate else {
                        send(fd, "Response: Error\r\nActionID: \(id)\r\nMessage: Invalid/unknown command\r\n\r\n")
                        continue
                    }
                    send(fd, replay.answer(to: message))
                case "ping":
                    send(fd, "Response: Success\r\nActionID: \(id)\r\nPing: Pong\r\nTimestamp: 1795593625.000000\r\n\r\n")
                case "logoff":
                    send(fd, "Response: Goodbye\r\nActionID: \(id)\r\nMessage: Thanks for all the fish.\r\n\r\n")
                    return
                default:
                    send(fd, "Response: Error\r\nActionID: \(id)\r\nMessage: Invalid/unknown command\r\n\r\n")
                }
            }
        }
    }

    private func send(_ fd: Int32, _ text: String) { send(fd, Array(text.utf8)) }

    private func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    public struct ServerError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}

/// Collects what a source emits and lets a test wait for it without polling.
public actor SourceRecorder {
    /// An empty recorder.
    public init() {}

    public private(set) var events: [CallEvent] = []
    public private(set) var reports: [SourceReport] = []
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    public func record(_ event: CallEvent) {
        events.append(event)
        let ready = waiters.filter { $0.count <= events.count }
        waiters.removeAll { $0.count <= events.count }
        for waiter in ready { waiter.continuation.resume() }
    }

    public func record(_ report: SourceReport) { reports.append(report) }

    /// Lets every `waitForEvents` return now (the test is giving up or done).
    public func releaseWaiters() {
        for waiter in waiters { waiter.continuation.resume() }
        waiters = []
    }

    /// Waits until `condition` holds for what was recorded, or `seconds` pass; returns whether it held.
    public func wait(seconds: Double, until condition: @escaping @Sendable ([CallEvent], [SourceReport]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition(events, reports) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Returns once `count` events arrived (the caller bounds the wait with a timeout task).
    public func waitForEvents(_ count: Int) async {
        if events.count >= count { return }
        await withCheckedContinuation { waiters.append((count, $0)) }
    }
}

/// Answers an `Action: Originate` the way a real Asterisk 22 did: with the recording of
/// `click-to-dial/` or `click-to-dial-failed/`, after checking that the action carries
/// exactly the recorded fields (`ami-sent.txt`), its own `ActionID`, and at most a
/// `ChannelId` added at the end.
public struct OriginateReplay: Sendable {
    /// The recorded action's fields, in order.
    public let expected: [AMIMessage.Field]
    /// What the PBX sent from the Originate's `Response` to the end of the call (before `Logoff`).
    public let answer: String
    /// The recorded `ActionID` and the `Uniqueid` Asterisk gave the originated channel.
    public let recordedActionID: String
    public let recordedUniqueID: String

    /// The replay of a recorded scenario (`click-to-dial`, `click-to-dial-failed`).
    public static func recorded(_ scenario: String) throws -> OriginateReplay {
        let sent = AMIStreams.messages(try Fixtures.bytes("asterisk-22/\(scenario)/ami-sent.txt"))
        guard let action = sent.first(where: { $0["Action"] == "Originate" }), let actionID = action.actionID else {
            throw TestAMIServer.ServerError("no Originate in \(scenario)/ami-sent.txt")
        }
        let text = String(decoding: try AMIStreams.recorded(scenario), as: UTF8.self)
        guard let start = text.range(of: "Response: Success\r\nActionID: \(actionID)\r\n"),
            let end = text.range(of: "Response: Goodbye\r\n", options: .backwards),
            let uniqueID = text[start.upperBound...].firstMatch(of: /Uniqueid: ([0-9]+\.[0-9]+)\r\n/)?.1
        else { throw TestAMIServer.ServerError("\(scenario)/ami.txt has no Originate response, channel or Logoff") }
        return OriginateReplay(
            expected: action.fields, answer: String(text[start.lowerBound..<end.lowerBound]), recordedActionID: actionID,
            recordedUniqueID: String(uniqueID))
    }

    /// Why `action` is not the recorded one, or nil when it is.
    public func mismatch(_ action: AMIMessage) -> String? {
        var fields = action.fields
        if fields.last?.key == "ChannelId" { fields.removeLast() }
        let sentKeys = fields.map(\.key), recordedKeys = expected.map(\.key)
        guard sentKeys == recordedKeys else { return "fields \(sentKeys), recorded \(recordedKeys)" }
        for (sent, recorded) in zip(fields, expected) where sent.key != "ActionID" && sent.value != recorded.value {
            return "\(sent.key): \(sent.value), recorded \(recorded.value)"
        }
        return nil
    }

    /// The recording with this action's `ActionID`, and its `ChannelId` as the channel's
    /// `Uniqueid` (as Asterisk does); an error response for an action that is not the recorded one.
    func answer(to action: AMIMessage) -> String {
        let id = action.actionID ?? ""
        if let problem = mismatch(action) {
            return "Response: Error\r\nActionID: \(id)\r\nMessage: not the recorded Originate: \(problem)\r\n\r\n"
        }
        var text = answer.replacingOccurrences(of: "ActionID: \(recordedActionID)\r\n", with: "ActionID: \(id)\r\n")
        if let channelID = action["ChannelId"] {
            text = text.replacingOccurrences(of: recordedUniqueID, with: channelID)
                .replacingOccurrences(of: "Uniqueid: <unknown>", with: "Uniqueid: \(channelID)")
        }
        return text
    }
}
