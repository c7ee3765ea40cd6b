import CallPopAMI
import CallPopTestSupport
import Foundation
import Testing

/// The built `callpop dial` end to end: through the running agent's `Dial` method on a
/// private session bus and through its own one-shot AMI connection, against a local AMI
/// server replaying the real Asterisk 22 click-to-dial recordings (which checks the
/// Originate against `ami-sent.txt`); the confirmation notification with the fake
/// notification server; the HTTP API path against a local HTTP server; the program path
/// with a recorder.
@Suite("callpop dial", .serialized)
struct DialCommandTests {
    static let secret = "s3cret"

    /// A scratch home with a configuration and a recorder program that appends its
    /// arguments, one line per run, to `record.log`.
    struct Scratch {
        let directory: URL
        let config: URL
        let record: URL
        let recorder: URL

        init(_ configText: (String) -> String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-dial-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            record = directory.appendingPathComponent("record.log")
            recorder = directory.appendingPathComponent("recorder")
            try "#!/bin/sh\nprintf '%s|' \"$@\" >> '\(record.path)'\necho >> '\(record.path)'\n"
                .write(to: recorder, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: recorder.path)
            config = directory.appendingPathComponent("config.toml")
            try configText(recorder.path).write(to: config, atomically: true, encoding: .utf8)
        }

        func environment(bus: TestBus?) -> [String: String] {
            var env = [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": directory.path, "CALLPOP_PBX_PASSWORD": DialCommandTests.secret,
                "XDG_STATE_HOME": directory.appendingPathComponent("state").path,
                "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
            ]
            if let bus { env["DBUS_SESSION_BUS_ADDRESS"] = bus.address }
            return env
        }

        /// The recorder's runs once `count` have arrived (or after `seconds`), each as its argv.
        func runs(_ count: Int, seconds: Double = 10) async throws -> [[String]] {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while true {
                let text = (try? String(contentsOf: record, encoding: .utf8)) ?? ""
                let runs = text.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).dropLast().map(String.init) }
                if runs.count >= count || ContinuousClock.now >= deadline { return runs }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// AMI to `port`, dialling from context `internal`, and a call-generation rule that records each outgoing call.
    static func amiConfig(port: Int, confirm: Bool = true) -> (String) -> String {
        { recorder in
            """
            [user]
            number = "201"
            name = "Alice Agent"
            country_code = "44"

            [pbx]
            source = "ami"
            url = "ami://127.0.0.1:\(port)"
            username = "popup"

            [dial]
            context = "internal"
            confirm = \(confirm)

            [[popup]]
            name = "Call log"
            trigger = "call-generation"
            app = ["\(recorder)", "--number={CALLERNUM}", "--call={CALLID}"]
            """
        }
    }

    /// Starts `callpop run` with `arguments` and waits, at most 10 s, until its `status` says
    /// it is logged in to the PBX; the caller stops it.
    static func startConnectedAgent(_ arguments: [String], environment: [String: String]) async throws -> Process {
        let agent = Process()
        agent.executableURL = AgentDesktopTests.binary
        agent.arguments = ["run"] + arguments
        agent.environment = environment
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        do {
            let deadline = ContinuousClock.now + .seconds(10)
            var status = ""
            while ContinuousClock.now < deadline, !status.contains(#""connection":"connected""#) {
                status = try await AgentDesktopTests.run(["status", "--json"], environment: environment).1
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status.contains(#""connection":"connected""#), "\(status)")
        } catch {
            kill(agent.processIdentifier, SIGKILL)
            throw error
        }
        return agent
    }

    static func replayServer(_ scenario: String) throws -> TestAMIServer {
        try TestAMIServer(secret: secret, scripts: [.init(originate: try OriginateReplay.recorded(scenario))])
    }

    /// The one Originate the server saw, checked against the recording; its `ChannelId`.
    static func checkedOriginate(_ server: TestAMIServer, _ scenario: String) throws -> String {
        #expect(server.receivedOriginates.count == 1)
        let sent = try #require(server.receivedOriginates.first)
        #expect(try OriginateReplay.recorded(scenario).mismatch(sent) == nil)
        return try #require(sent["ChannelId"])
    }

    // MARK: AMI

    /// No agent runs: `callpop dial` logs in itself, the PBX sees exactly the recorded
    /// Originate, the answered outcome is printed and notified, and the call-generation rule
    /// fires once for the placed call.
    @Test func oneShotConnectionPlacesTheCallAndFiresTheRuleOnce() async throws {
        guard TestEnvironment.canRunBusTests else { return }
        try await withTestBus { bus in
            let notifications = try await FakeNotificationServer.start(on: bus)
            let server = try Self.replayServer("click-to-dial")
            defer { server.stop() }
            let scratch = try Scratch(Self.amiConfig(port: server.port))
            defer { scratch.remove() }
            let (code, out, err) = try await AgentDesktopTests.run(
                ["dial", "--config", scratch.config.path, "020 7946 0000"], environment: scratch.environment(bus: bus))
            #expect(code == 0, "\(err)")
            #expect(out.contains("your phone answered; the PBX is dialling 02079460000"), "\(out)")
            let channelID = try Self.checkedOriginate(server, "click-to-dial")
            #expect(try await scratch.runs(1) == [["--number=02079460000", "--call=\(channelID)"]])
            let calls = try await notifications.waitForCalls(1, "the result notification")
            #expect(calls.compactMap(\.notify?.summary) == ["Calling 02079460000"])
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await scratch.runs(2, seconds: 0).count == 1, "the call-generation rule fired once")
        }
    }

    /// The phone refused (486): reported as busy, exit 1, and no rule fires.
    @Test func oneShotFailureIsReportedAndNothingFires() async throws {
        guard TestEnvironment.canRunBusTests else { return }
        try await withTestBus { bus in
            let notifications = try await FakeNotificationServer.start(on: bus)
            let server = try Self.replayServer("click-to-dial-failed")
            defer { server.stop() }
            let scratch = try Scratch(Self.amiConfig(port: server.port))
            defer { scratch.remove() }
            let (code, _, err) = try await AgentDesktopTests.run(
                ["dial", "--config", scratch.config.path, "02079460000"], environment: scratch.environment(bus: bus))
            #expect(code == 1)
            #expect(err.contains("your phone (PJSIP/201) was busy or declined it"), "\(err)")
            _ = try Self.checkedOriginate(server, "click-to-dial-failed")
            let calls = try await notifications.waitForCalls(1, "the result notification")
            #expect(calls.first?.notify?.summary == "Call not placed")
            #expect(try await scratch.runs(1, seconds: 0.5) == [])
        }
    }

    /// The running agent places the call on its own session (`Dial` on the bus): one
    /// connection, one Originate, and its call-generation rule fires once.
    @Test func runningAgentDialsOnItsSession() async throws {
        guard TestEnvironment.canRunBusTests else { return }
        try await withTestBus { bus in
            _ = try await FakeNotificationServer.start(on: bus)
            let server = try Self.replayServer("click-to-dial")
            defer { server.stop() }
            let scratch = try Scratch(Self.amiConfig(port: server.port))
            defer { scratch.remove() }
            let env = scratch.environment(bus: bus)
            let agent = try await Self.startConnectedAgent(["--config", scratch.config.path], environment: env)
            defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }

            let (code, out, err) = try await AgentDesktopTests.run(
                ["dial", "--config", scratch.config.path, "--json", "02079460000"], environment: env)
            #expect(code == 0, "\(err)")
            let channelID = try Self.checkedOriginate(server, "click-to-dial")
            #expect(out.contains(#""path":"ami","succeeded":true"#), "\(out)")
            #expect(out.contains(#""call":"\#(channelID)""#), "\(out)")
            #expect(server.actions.count == 1, "the agent's own connection placed it")
            #expect(try await scratch.runs(1) == [["--number=02079460000", "--call=\(channelID)"]])

            // A number a deny rule would refuse never reaches the PBX: the agent refuses letters.
            let (badCode, _, badErr) = try await AgentDesktopTests.run(
                ["dial", "--config", scratch.config.path, "1-800-FLOWERS"], environment: env)
            #expect(badCode == 1)
            #expect(badErr.contains("not dialled"), "\(badErr)")
            #expect(server.receivedOriginates.count == 1)

            kill(agent.processIdentifier, SIGTERM)
            try await offPool { agent.waitUntilExit() }
            #expect(try await scratch.runs(2, seconds: 0).count == 1, "the call-generation rule fired once")
        }
    }

    /// An agent run with `--dry-run` launches nothing, and places no call either.
    @Test func aDryRunAgentPlacesNoCall() async throws {
        guard TestEnvironment.canRunBusTests else { return }
        try await withTestBus { bus in
            _ = try await FakeNotificationServer.start(on: bus)
            let server = try Self.replayServer("click-to-dial")
            defer { server.stop() }
            let scratch = try Scratch(Self.amiConfig(port: server.port))
            defer { scratch.remove() }
            let env = scratch.environment(bus: bus)
            let agent = try await Self.startConnectedAgent(["--config", scratch.config.path, "--dry-run"], environment: env)
            defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
            let (code, _, err) = try await AgentDesktopTests.run(
                ["dial", "--config", scratch.config.path, "02079460000"], environment: env)
            #expect(code == 1)
            #expect(err.contains("dry run: nothing is placed; would dial 02079460000 via ami"), "\(err)")
            #expect(server.receivedOriginates.isEmpty, "a dry-run agent sent an Originate")
            kill(agent.processIdentifier, SIGTERM)
            try await offPool { agent.waitUntilExit() }
        }
    }

    // MARK: Confirmation

    /// A `tel:` link asks first: *Cancel* places nothing (no connection at all), *Call* places it.
    @Test func linkAsksFirstCancelPlacesNothingCallPlacesIt() async throws {
        guard TestEnvironment.canRunBusTests else { return }
        try await withTestBus { bus in
            let notifications = try await FakeNotificationServer.start(on: bus)
            let server = try Self.replayServer("click-to-dial")
            defer { server.stop() }
            let scratch = try Scratch(Self.amiConfig(port: server.port))
            defer { scratch.remove() }
            let env = scratch.environment(bus: bus)
            let link = "tel:+44-20-7946-0000"

            let cancelled = Task { try await AgentDesktopTests.run(["dial", "--config", scratch.config.path, link], environment: env) }
            let question = try #require(try await notifications.waitForCalls(1, "the question").first?.notify)
            #expect(question.summary == "Call 02079460000?")
            #expect(question.actions == ["call", "Call", "cancel", "Cancel"])
            #expect(question.body.contains("+442079460000"))
            await notifications.emitActionInvoked(id: question.id, key: "cancel")
            let (cancelCode, _, cancelErr) = try await cancelled.value
            #expect(cancelCode == 1)
            #expect(cancelErr.contains("cancelled; nothing was dialled"), "\(cancelErr)")
            #expect(server.actions.isEmpty, "nothing connected to the PBX")

            let called = Task { try await AgentDesktopTests.run(["dial", "--config", scratch.config.path, link], environment: env) }
            let calls = try await notifications.waitForCalls(3, "the second question")
            let second = try #require(calls.compactMap(\.notify).last)
            #expect(second.summary == "Call 02079460000?")
            await notifications.emitActionInvoked(id: second.id, key: "call")
            let (callCode, _, callErr) = try await called.value
            #expect(callCode == 0, "\(callErr)")
            _ = try Self.checkedOriginate(server, "click-to-dial")
        }
    }

    /// Without a notification server nobody can be asked: nothing is dialled.
    @Test func linkWithoutNotificationServerIsNotDialled() async throws {
        guard TestEnvironment.canRunBusTests else { return }
        try await withTestBus { bus in
            let server = try Self.replayServer("click-to-dial")
            defer { server.stop() }
            let scratch = try Scratch(Self.amiConfig(port: server.port))
            defer { scratch.remove() }
            let (code, _, err) = try await AgentDesktopTests.run(
                ["dial", "--config", scratch.config.path, "tel:+442079460000"], environment: scratch.environment(bus: bus))
            #expect(code == 1)
            #expect(err.contains("no notification server"), "\(err)")
            #expect(server.actions.isEmpty)
        }
    }

    // MARK: Dry run, HTTP, program

    @Test func dryRunShowsTheNumberAndTheActionAndPlacesNothing() async throws {
        let server = try Self.replayServer("click-to-dial")
        defer { server.stop() }
        let scratch = try Scratch(Self.amiConfig(port: server.port))
        defer { scratch.remove() }
        let (code, out, err) = try await AgentDesktopTests.run(
            ["dial", "--config", scratch.config.path, "--dry-run", "--json", "tel:+44-20-7946-0000;ext=22"],
            environment: scratch.environment(bus: nil))
        #expect(code == 0, "\(err)")
        #expect(out.hasPrefix(#"{"number":"02079460000","kind":"national","e164":"+442079460000","extension":"22","path":"ami","#), "\(out)")
        #expect(out.contains(#""  Exten: 02079460000""#), "\(out)")
        #expect(out.contains(#""confirm":true"#))
        #expect(server.actions.isEmpty)
    }

    @Test func httpClickToCallAPI() async throws {
        let api = try await TestHTTPServer.start(routes: ["/call": [.init(status: 202)]])
        let scratch = try Scratch { _ in
            """
            [user]
            number = "201"
            country_code = "44"

            [dial]
            url = "\(api.baseURL)/call?to={DIALNUM}&e164={CALLERNUM}"
            json = '{"from": "{USERNUM}", "to": "{DIALNUM}"}'
            headers = { "X-Source" = "callpop" }
            """
        }
        defer { scratch.remove() }
        let (code, out, err) = try await AgentDesktopTests.run(
            ["dial", "--config", scratch.config.path, "+44 (0)20 7946 0000"], environment: scratch.environment(bus: nil))
        await api.stop()
        #expect(code == 0, "\(err)")
        #expect(out.contains("the click-to-call API took the call to 02079460000 (HTTP 202)"), "\(out)")
        let request = try #require(api.requests().first)
        #expect(api.requests().count == 1)
        #expect(request.method == "POST")
        #expect(request.query == "to=02079460000&e164=%2B442079460000")
        #expect(request.body == #"{"from": "201", "to": "02079460000"}"#)
        #expect(request.header("X-Source") == "callpop")
        #expect(request.header("Content-Type") == "application/json")
    }

    /// The program gets the number as one argv word; a link's parameters never become more.
    @Test func programGetsTheNumberAsOneWord() async throws {
        let scratch = try Scratch { recorder in
            """
            [user]
            number = "201"
            country_code = "44"

            [dial]
            confirm = false
            app = ["\(recorder)", "call", "{DIALNUM}"]
            """
        }
        defer { scratch.remove() }
        let (code, out, err) = try await AgentDesktopTests.run(
            ["dial", "--config", scratch.config.path, "tel:+44-20-7946-0000;ext=2%3B$(id)"], environment: scratch.environment(bus: nil))
        #expect(code == 1, "a parameter with ; and $( ) is refused: \(out)")
        #expect(err.contains("not dialled"), "\(err)")
        let (okCode, okOut, okErr) = try await AgentDesktopTests.run(
            ["dial", "--config", scratch.config.path, "tel:+44-20-7946-0000"], environment: scratch.environment(bus: nil))
        #expect(okCode == 0, "\(okErr)")
        #expect(okOut.contains("handed to"))
        #expect(try await scratch.runs(1) == [["call", "02079460000"]])
    }

    /// More dials in a minute than `rate_limit` are refused.
    @Test func rateLimit() async throws {
        let scratch = try Scratch { recorder in
            """
            [user]
            number = "201"

            [dial]
            rate_limit = 2
            app = ["\(recorder)", "{DIALNUM}"]
            """
        }
        defer { scratch.remove() }
        var codes: [Int32] = []
        for _ in 0..<3 {
            codes.append(try await AgentDesktopTests.run(["dial", "--config", scratch.config.path, "02079460000"], environment: scratch.environment(bus: nil)).0)
        }
        #expect(codes == [0, 0, 1])
        #expect(try await scratch.runs(2).count == 2)
    }

    // MARK: Handler

    /// `callpop handler enable` in a temporary home: the real `xdg-mime` then names callpop
    /// for tel: links; `disable` gives them back. (Tests/CallPopSetupTests/DialHandlerTests.swift
    /// covers conflicts, --force and `xdg-open tel:…` reaching `callpop dial`.)
    @Test func handlerEnableStatusDisable() async throws {
        guard TestEnvironment.which("xdg-mime") != nil else { return }
        let scratch = try Scratch { _ in "" }
        defer { scratch.remove() }
        var env = scratch.environment(bus: nil)
        env["XDG_DATA_HOME"] = scratch.directory.appendingPathComponent("data").path
        env["XDG_DATA_DIRS"] = scratch.directory.appendingPathComponent("system").path
        let queryEnv = env
        func query() async throws -> String {
            try await offPool {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["xdg-mime", "query", "default", "x-scheme-handler/tel"]
                process.environment = queryEnv
                let out = Pipe()
                process.standardOutput = out
                try process.run()
                let data = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        let (code, out, err) = try await AgentDesktopTests.run(["handler", "enable"], environment: env)
        #expect(code == 0, "\(err)")
        #expect(out.contains("wrote \(env["XDG_DATA_HOME"]!)/applications/callpop-dial.desktop"), "\(out)")
        #expect(try await query() == "callpop-dial.desktop")
        let entry = try String(contentsOfFile: env["XDG_DATA_HOME"]! + "/applications/callpop-dial.desktop", encoding: .utf8)
        #expect(entry.contains("Exec=\(AgentDesktopTests.binary.path) dial %u"), "\(entry)")
        let (_, status, _) = try await AgentDesktopTests.run(["handler", "status"], environment: env)
        #expect(status.hasPrefix("tel:    callpop"), "\(status)")
        let (disableCode, _, disableErr) = try await AgentDesktopTests.run(["handler", "disable"], environment: env)
        #expect(disableCode == 0, "\(disableErr)")
        #expect(try await query() != "callpop-dial.desktop")
    }
}
