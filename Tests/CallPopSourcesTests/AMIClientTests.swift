import CallPopAMI
import CallPopCore
import CallPopSIP
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing

/// The real client (libcurl, poll thread, session, mapper) against the fake Asterisk over TCP.
@Suite(.timeLimit(.minutes(1))) struct AMIClientTests {
    static let secret = "s3cret"

    /// Test settings: fast reconnects; the keepalive is long unless a test is about it (`quickPing`),
    /// so that a loaded CI machine never sees a stray Ping or a false stall.
    static func configuration(
        port: Int, login: AMILoginMethod = .challenge, quickPing: Bool = false
    ) -> AMISourceConfiguration {
        AMISourceConfiguration(
            url: "ami://127.0.0.1:\(port)", username: "popup", secret: secret,
            devices: AMIDeviceMatcher.defaultDevices(forNumber: "201"), login: login,
            keepaliveInterval: quickPing ? .milliseconds(300) : .seconds(60),
            responseTimeout: quickPing ? .seconds(1) : .seconds(5),
            reconnectMinimum: .milliseconds(20), reconnectMaximum: .milliseconds(100))
    }

    /// The event blocks of a stream (no banner, login response or Goodbye), each with its blank line.
    static func eventBlocks(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n\r\n")
            .filter { $0.hasPrefix("Event:") }.map { $0 + "\r\n\r\n" }
    }

    static func join(_ blocks: some Sequence<String>) -> [UInt8] { Array(blocks.joined().utf8) }

    /// Runs a client until `count` events arrived (or 10 s passed), then cancels it.
    /// Returns the recorder and what `run` threw.
    static func runClient(
        _ configuration: AMISourceConfiguration, until count: Int
    ) async -> (SourceRecorder, (any Error)?) {
        let recorder = SourceRecorder()
        let client = AMIClient(configuration: configuration)
        let task = Task {
            try await client.run(emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await recorder.waitForEvents(count) }
            group.addTask { try? await Task.sleep(for: .seconds(10)) }
            group.addTask { _ = await task.result }  // run ended by itself (thrown error)
            await group.next()
            // Whatever came first, stop the rest: the client (logs off), the sleep, the waiter.
            task.cancel()
            group.cancelAll()
            await recorder.releaseWaiters()
        }
        let error: (any Error)?
        switch await task.result {
        case .success: error = nil
        case .failure(let thrown): error = thrown
        }
        return (recorder, error)
    }

    @Test(arguments: [
        ("inbound-answered", Expected.inboundAnswered),
        ("inbound-missed", Expected.inboundMissed),
        ("outbound-answered", Expected.outboundAnswered),
        ("internal-colleague", Expected.internalColleague),
    ])
    func playsRecordedScenario(scenario: String, expected: [CallEvent]) async throws {
        let events = Self.join(Self.eventBlocks(try AMIStreams.recorded(scenario)))
        let server = try TestAMIServer(secret: Self.secret, scripts: [.init(events: events)])
        defer { server.stop() }
        let (recorder, error) = await Self.runClient(Self.configuration(port: server.port), until: expected.count)
        #expect(error == nil)
        #expect(await recorder.events == expected)
        #expect(server.actions == [["Challenge", "Login", "CoreShowChannels", "Filter", "Logoff"]], "Logoff on cancellation")
    }

    @Test func plainLogin() async throws {
        let events = Self.join(Self.eventBlocks(try AMIStreams.recorded("inbound-missed")))
        let server = try TestAMIServer(secret: Self.secret, scripts: [.init(events: events)])
        defer { server.stop() }
        let (recorder, _) = await Self.runClient(Self.configuration(port: server.port, login: .plain), until: 2)
        #expect(await recorder.events == Expected.inboundMissed)
        #expect(server.actions.first?.first == "Login")
    }

    /// The first scenario messages up to and including the first one matching `predicate`, and the rest.
    static func split(_ scenario: String, after predicate: (String) -> Bool) throws -> ([String], [String]) {
        let blocks = eventBlocks(try AMIStreams.recorded(scenario))
        guard let index = blocks.firstIndex(where: predicate) else { throw TestAMIServer.ServerError("no such block") }
        return (Array(blocks[...index]), Array(blocks[(index + 1)...]))
    }

    /// Points in the recorded inbound-answered stream where a connection is cut or picks up again.
    enum Point: String, Sendable, CaseIterable {
        case newchannel201, ringing201, bridged

        func matches(_ block: String) -> Bool {
            switch self {
            case .newchannel201: block.hasPrefix("Event: Newchannel\r\n") && block.contains("PJSIP/201-")
            case .ringing201:
                block.hasPrefix("Event: Newstate\r\n") && block.contains("Channel: PJSIP/201-")
                    && block.contains("ChannelStateDesc: Ringing")
            case .bridged: block.hasPrefix("Event: BridgeEnter\r\n") && block.contains("Channel: PJSIP/trunk-")
            }
        }
    }

    /// A fault in the middle of the inbound-answered call: the first connection plays the stream up to
    /// `cutAfter` then closes or stalls; the second lists `snapshot` (hand-written) and plays on after `resumeAfter`.
    struct Fault: Sendable, CustomTestStringConvertible {
        var cutAfter: Point
        var ending: TestAMIServer.Script.Ending
        var snapshot: String
        var resumeAfter: Point
        var testDescription: String { "cut after \(cutAfter) (\(ending)), back with \(snapshot)" }
    }

    /// However the connection breaks, the user sees exactly ringing, answered, ended, once each:
    /// answered-while-away comes from the resync, a ringing missed while away too, and nothing repeats.
    @Test(arguments: [
        Fault(cutAfter: .ringing201, ending: .close, snapshot: "inbound-answered-snapshot-up", resumeAfter: .bridged),
        Fault(cutAfter: .ringing201, ending: .close, snapshot: "inbound-answered-snapshot-ringing", resumeAfter: .ringing201),
        Fault(cutAfter: .newchannel201, ending: .close, snapshot: "inbound-answered-snapshot-ringing", resumeAfter: .ringing201),
        Fault(cutAfter: .ringing201, ending: .stall, snapshot: "inbound-answered-snapshot-up", resumeAfter: .bridged),
    ])
    func reconnectsAndResynchronises(fault: Fault) async throws {
        let (head, _) = try Self.split("inbound-answered", after: fault.cutAfter.matches)
        let (_, tail) = try Self.split("inbound-answered", after: fault.resumeAfter.matches)
        let server = try TestAMIServer(secret: Self.secret, scripts: [
            .init(events: Self.join(head), then: fault.ending),
            .init(snapshot: try AMIStreams.handwritten(fault.snapshot), events: Self.join(tail)),
        ])
        defer { server.stop() }
        let configuration = Self.configuration(port: server.port, quickPing: fault.ending == .stall)
        let (recorder, error) = await Self.runClient(configuration, until: 3)
        #expect(error == nil)
        #expect(await recorder.events == Expected.inboundAnswered)
        #expect(server.actions.count == 2)
        #expect(await recorder.reports.contains { $0.connection == .disconnected })
        if fault.ending == .stall {
            // Only the keepalive can notice a peer that keeps the socket open and says nothing.
            #expect(server.actions.first == ["Challenge", "Login", "CoreShowChannels", "Filter", "Ping"])
            #expect(await recorder.reports.contains { $0.message.contains("no answer to Ping") })
        }
    }

    /// A PBX restart mid-call: Asterisk says `Shutdown` and closes; while it boots, connections
    /// are dropped at once; then it is back, the call (still up, it survived on the phones' side
    /// in this hand-written snapshot) is resynchronised and ends normally. No restart by hand.
    @Test func pbxRestartIsRiddenThrough() async throws {
        let (head, _) = try Self.split("inbound-answered", after: Point.ringing201.matches)
        let (_, tail) = try Self.split("inbound-answered", after: Point.bridged.matches)
        let shutdown = "Event: Shutdown\r\nPrivilege: system,all\r\nShutdown: Cleanly\r\nRestart: True\r\n\r\n"
        let server = try TestAMIServer(secret: Self.secret, scripts: [
            .init(events: Self.join(head + [shutdown]), then: .close),
            .init(hangUpAtOnce: true), .init(hangUpAtOnce: true),
            .init(snapshot: try AMIStreams.handwritten("inbound-answered-snapshot-up"), events: Self.join(tail)),
        ])
        defer { server.stop() }
        let (recorder, error) = await Self.runClient(Self.configuration(port: server.port), until: 3)
        #expect(error == nil)
        #expect(await recorder.events == Expected.inboundAnswered)
        #expect(server.actions.count == 4)
        #expect(server.actions.last == ["Challenge", "Login", "CoreShowChannels", "Filter", "Logoff"])
    }

    /// Issue #10, finding 9: a PBX that accepts the login and drops the connection at once
    /// must not get a new login every `reconnectMinimum`: the backoff resets only after a
    /// connection stayed up, and the streak of short connections is logged.
    @Test func aConnectionDroppedAfterLoginStillBacksOff() async throws {
        let server = try TestAMIServer(secret: Self.secret, scripts: Array(repeating: .init(then: .close), count: 12))
        defer { server.stop() }
        var configuration = Self.configuration(port: server.port)
        configuration.reconnectMinimum = .milliseconds(50)
        configuration.reconnectMaximum = .seconds(5)
        let recorder = SourceRecorder()
        let client = AMIClient(configuration: configuration)
        let task = Task { try await client.run(emit: { await recorder.record($0) }, report: { await recorder.record($0) }) }
        try await Task.sleep(for: .milliseconds(1200))
        task.cancel()
        _ = try? await task.value
        // Doubling from 25–50 ms: at most 6 logins can fit in 1.2 s; with a reset per login, 12 did.
        let logins = server.actions.filter { $0.contains("Login") }.count
        #expect(logins >= 2 && logins <= 6, "\(logins) logins in 1.2 s: \(server.actions)")
        let warnings = await recorder.reports.filter { $0.connection == .disconnected }.map(\.message)
        #expect(warnings.contains { $0.contains("short connections in a row") }, "\(warnings)")
    }

    /// A refused login is reported and thrown after one attempt: no retry loop.
    @Test func refusedLoginThrowsWithoutRetrying() async throws {
        let server = try TestAMIServer(secret: Self.secret, scripts: [.init(acceptLogin: false), .init()])
        defer { server.stop() }
        let (recorder, error) = await Self.runClient(Self.configuration(port: server.port), until: 1)
        let amiError = try #require(error as? SourceError)
        #expect(amiError.code == .loginRejected)
        #expect(amiError.message
            == "the PBX refused the login of AMI user \"popup\" (Authentication failed); check username and secret in manager.conf")
        #expect(server.actions == [["Challenge", "Login"]])
        #expect(await recorder.events.isEmpty)
        #expect(await !recorder.reports.contains { $0.message.contains(Self.secret) })
    }

    /// Garbage between events is reported and skipped; the call still comes through exactly.
    @Test func garbageIsSkipped() async throws {
        var generator = SplitMix64(seed: 42)
        let noise = (0..<2000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let blocks = Self.eventBlocks(try AMIStreams.recorded("inbound-missed"))
        let events = Array(noise) + Array("\r\n\r\nnot a field\r\n\r\n".utf8) + Self.join(blocks)
        let server = try TestAMIServer(secret: Self.secret, scripts: [.init(events: events)])
        defer { server.stop() }
        let (recorder, _) = await Self.runClient(Self.configuration(port: server.port), until: 2)
        #expect(await recorder.events == Expected.inboundMissed)
        #expect(await recorder.reports.contains { $0.level == .warning && $0.message.hasPrefix("AMI: skipped") })
    }

    /// Nothing listens: the client reports, backs off, retries, and stops cleanly when cancelled.
    @Test func connectionRefusedIsRetriedWithBackoff() async throws {
        let server = try TestAMIServer(secret: Self.secret, scripts: [])
        let port = server.port
        server.stop()
        try await Task.sleep(for: .milliseconds(50))  // the listener closes with the server
        let recorder = SourceRecorder()
        let client = AMIClient(configuration: Self.configuration(port: port))
        let task = Task { try await client.run(emit: { await recorder.record($0) }, report: { await recorder.record($0) }) }
        try await Task.sleep(for: .milliseconds(600))
        task.cancel()
        await #expect(throws: Never.self) { try await task.value }
        let failures = await recorder.reports.filter { $0.connection == .disconnected }
        #expect(failures.count >= 3, "retried")
        #expect(failures.count <= 30, "backoff, not a tight loop")
        #expect(failures.first?.message.hasPrefix("cannot connect to AMI at 127.0.0.1:\(port): Couldn't connect to server") == true)
    }

    /// Cancelling while a TLS handshake hangs (the peer accepts and says nothing) returns at once,
    /// not after the 10 s connect timeout: the wake-up pipe abandons the attempt inside libcurl.
    @Test func cancelWhileConnectingReturnsPromptly() async throws {
        let silent = try OneShotListener(ipv6: false, greeting: "")
        var configuration = Self.configuration(port: silent.port)
        configuration.url = "amis://127.0.0.1:\(silent.port)"
        configuration.responseTimeout = .seconds(10)
        let client = AMIClient(configuration: configuration)
        let task = Task { try await client.run(emit: { _ in }, report: { _ in }) }
        try await Task.sleep(for: .milliseconds(300))
        let clock = ContinuousClock()
        let started = clock.now
        task.cancel()
        await #expect(throws: Never.self) { try await task.value }
        #expect(clock.now - started < .seconds(3))
        silent.closeNow()
    }

    @Test func invalidURLIsAConfigurationError() async {
        let client = AMIClient(configuration: AMISourceConfiguration(
            url: "http://pbx:5038", username: "u", secret: "s", devices: ["PJSIP/201"]))
        await #expect(throws: SourceError(.invalidConfiguration,
            "pbx url \"http://pbx:5038\" is not ami://host[:port] or amis://host[:port]")) {
            try await client.run(emit: { _ in }, report: { _ in })
        }
    }
}
