import CallPopTestSupport
import Foundation
import Testing

/// The built `callpop run` on a private session bus with a recording notification server:
/// a call shows a notification with one action per on-click rule, clicking an action opens
/// that rule's page through the real `xdg-open`, and `callpop status|reload|open` reach the
/// agent, which owns its bus name alone.
@Suite("callpop run on the session bus", .serialized)
struct AgentDesktopTests {
    static let config = """
        [user]
        number = "201"
        name = "Alice Agent"

        [[popup]]
        name = "CRM"
        trigger = "ringing"
        url = "https://crm.example.com/search?phone={CALLERNUM}"

        [[popup]]
        name = "New ticket"
        trigger = "on-click"
        url = "https://desk.example.com/tickets/new?From={CALLERNUM}&To={CALLERNAME}"
        """

    /// A scratch directory with the configuration, a FIFO for events and a `$BROWSER` recorder.
    struct Scratch {
        let directory: URL
        let config: URL
        let fifo: URL
        let browserLog: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-desktop-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            config = directory.appendingPathComponent("config.toml")
            try AgentDesktopTests.config.write(to: config, atomically: true, encoding: .utf8)
            fifo = directory.appendingPathComponent("events.fifo")
            guard mkfifo(fifo.path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
            browserLog = directory.appendingPathComponent("browser.log")
            let recorder = directory.appendingPathComponent("browser")
            try "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '\(browserLog.path)'\n".write(to: recorder, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: recorder.path)
        }

        func environment(bus: TestBus) -> [String: String] {
            [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": directory.path,
                "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
                "XDG_DATA_HOME": directory.appendingPathComponent("data").path, "XDG_DATA_DIRS": directory.path,
                "BROWSER": directory.appendingPathComponent("browser").path,
                "DBUS_SESSION_BUS_ADDRESS": bus.address,
            ]
        }

        /// The URLs the recorder received, once `count` have arrived (or after 10 s).
        func opened(_ count: Int) async throws -> [String] {
            let deadline = ContinuousClock.now + .seconds(10)
            var lines: [String] = []
            while ContinuousClock.now < deadline {
                lines = ((try? String(contentsOf: browserLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
                if lines.count >= count { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            return lines
        }
    }

    static var binary: URL {
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/", !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("callpop").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("callpop")
    }

    /// Runs `callpop ARGS` to completion off the cooperative pool; (status, stdout, stderr).
    static func run(_ arguments: [String], environment: [String: String]) async throws -> (Int32, String, String) {
        try await offPool { try callpop(arguments, environment: environment) }
    }

    /// Runs `callpop ARGS` to completion; (status, stdout, stderr).
    static func callpop(_ arguments: [String], environment: [String: String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func notificationClickStatusOpenReloadAndSingleInstance() async throws {
        guard TestEnvironment.canRunBusTests else { return }
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let scratch = try Scratch()
            defer { try? FileManager.default.removeItem(at: scratch.directory) }
            let env = scratch.environment(bus: bus)
            let agentLog = scratch.directory.appendingPathComponent("agent.log")
            _ = FileManager.default.createFile(atPath: agentLog.path, contents: nil)
            let agent = Process()
            agent.executableURL = Self.binary
            agent.arguments = ["run", "--config", scratch.config.path, "--events", scratch.fifo.path, "--control"]
            agent.environment = env
            agent.standardError = try FileHandle(forWritingTo: agentLog)
            try agent.run()
            defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
            let fifo = scratch.fifo
            let events = try await offPool { try FileHandle(forWritingTo: fifo) }
            func send(_ line: String) { events.write(Data((line + "\n").utf8)) }

            // A ringing call: the automatic popup opens, and a notification offers the on-click rule.
            send(#"{"call":"c1","state":"ringing","direction":"incoming","number":"+442071234567","name":"John <b>Doe</b>"}"#)
            let calls = try await server.waitForCalls(1, "the ringing notification")
            let ringing = try #require(calls.first?.notify)
            #expect(ringing.summary == "Incoming call")
            #expect(ringing.actions == ["default", "New ticket", "new-ticket", "New ticket"])
            #expect(ringing.body.contains("John &lt;b&gt;Doe&lt;/b&gt;"))
            #expect(try await scratch.opened(1) == ["https://crm.example.com/search?phone=%2B442071234567"])

            // Status over the bus shows the live call.
            let (statusCode, status, statusErr) = try await Self.run(["status", "--json"], environment: env)
            #expect(statusCode == 0, "\(statusErr)")
            #expect(status.contains(#""calls":[{"call":"c1","direction":"incoming","state":"ringing","number":"+442071234567""#), "\(status)")

            // Clicking the notification's action opens exactly that rule's page.
            await server.emitActionInvoked(id: ringing.id, key: "new-ticket")
            let afterClick = try await scratch.opened(2)
            #expect(afterClick.last == "https://desk.example.com/tickets/new?From=%2B442071234567&To=John%20%3Cb%3EDoe%3C%2Fb%3E")

            // `callpop open RULE` (a keyboard shortcut) opens it for the most recent live call.
            let (openCode, _, openErr) = try await Self.run(["open", "new-ticket"], environment: env)
            #expect(openCode == 0, "\(openErr)")
            #expect(try await scratch.opened(3).count == 3)
            let (unknownCode, _, unknownErr) = try await Self.run(["open", "nope"], environment: env)
            #expect(unknownCode == 1)
            #expect(unknownErr.contains("no popup rule 'nope'"))
            // Automatic rules fire once per call by themselves; they are not opened on request.
            let (automaticCode, _, automaticErr) = try await Self.run(["open", "crm"], environment: env)
            #expect(automaticCode == 1)
            #expect(automaticErr.contains("'crm' is not an on-click rule"), "\(automaticErr)")

            // A second agent for the same user exits with a clear message.
            let (secondCode, _, secondErr) = try await Self.run(
                ["run", "--config", scratch.config.path, "--events", "/dev/null", "--control"], environment: env)
            #expect(secondCode == 78)
            #expect(secondErr.contains("already running"), "\(secondErr)")

            // Reload: a good file is taken, a bad one is refused with its errors.
            let (reloadCode, reloadOut, _) = try await Self.run(["reload"], environment: env)
            #expect(reloadCode == 0)
            #expect(reloadOut.contains("configuration reloaded"))
            try "[user]\nnumber = 201\n".write(to: scratch.config, atomically: true, encoding: .utf8)
            let (badCode, _, badErr) = try await Self.run(["reload"], environment: env)
            #expect(badCode == 1)
            #expect(badErr.contains("config.toml:2:10: number must be a string"), "\(badErr)")

            // The call ends unanswered: the notification turns into a missed call that keeps its action.
            send(#"{"call":"c1","state":"ended","direction":"incoming"}"#)
            let all = try await server.waitForCalls(2, "the missed-call notification")
            let missed = try #require(all.last?.notify)
            #expect(missed.summary == "Missed call")
            #expect(missed.replacesID == ringing.id)
            #expect(missed.actions == ["default", "New ticket", "new-ticket", "New ticket"])

            try events.close()
            try await offPool { agent.waitUntilExit() }
            #expect(agent.terminationStatus == 0)
        }
    }
}
