import CallPopDBus
import CallPopTestSupport
import Foundation
import Testing

/// The built agent tells the desktop, once, whatever stops its popups — and once when they
/// work again — and tells systemd it is ready only once the PBX session is up. Against a
/// private bus with the recording notification server and the AMI test server.
@Suite("callpop run: health on the desktop", .serialized, .enabled(if: TestEnvironment.canRunBusTests, "needs dbus-daemon"))
struct AgentHealthTests {
    struct Scratch {
        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-health-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        func write(_ name: String, _ text: String) throws -> URL {
            let url = directory.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url
        }

        func environment(bus: TestBus, extra: [String: String] = [:]) -> [String: String] {
            [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": directory.path,
                "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
                "XDG_DATA_HOME": directory.appendingPathComponent("data").path, "XDG_DATA_DIRS": "/usr/share",
                "XDG_STATE_HOME": directory.appendingPathComponent("state").path,
                "DBUS_SESSION_BUS_ADDRESS": bus.address, "CALLPOP_PBX_PASSWORD": "s3cret",
            ].merging(extra) { $1 }
        }

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }
    }

    static func amiConfig(port: Int, delay: Int = 30) -> String {
        """
        [user]
        number = "201"

        [pbx]
        source = "ami"
        url = "ami://127.0.0.1:\(port)"
        username = "popup"

        [notifications]
        problem_delay = \(delay)
        """
    }

    @Test func aRefusedLoginIsShownOnceAndTheAgentExits78() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let ami = try TestAMIServer(secret: "s3cret", scripts: [.init(acceptLogin: false)])
            defer { ami.stop() }
            let scratch = try Scratch()
            defer { scratch.cleanUp() }
            let config = try scratch.write("config.toml", Self.amiConfig(port: ami.port))
            let notify = try NotifySocketRecorder(directory: scratch.directory)
            let agent = try AgentProcess(
                ["run", "--config", config.path], environment: scratch.environment(bus: bus, extra: ["NOTIFY_SOCKET": notify.path]),
                log: scratch.directory.appendingPathComponent("agent.log"))
            defer { agent.kill() }
            #expect(try await agent.exitStatus() == 78, "\(agent.stderr)")
            let shown = await server.calls.compactMap(\.notify)
            #expect(shown.map(\.summary) == ["The PBX refused callpop"], "\(agent.stderr)")
            let notice = try #require(shown.first)
            #expect(notice.body.contains("Authentication failed"))
            #expect(notice.body.contains("Check username and the password in [pbx]"))
            #expect(notice.icon.hasPrefix("dialog-warning"))
            #expect(notice.actions == [])
            #expect(notice.hints.contains(DBusDictionaryEntry(key: .string("urgency"), value: .variant(.byte(2)))))
            // Never ready: the session never came up.
            #expect(!notify.datagrams.contains { $0.contains("READY=1") }, "\(notify.datagrams)")
        }
    }

    /// Three connections hang up at once (a PBX still starting), the fourth logs in: one
    /// notice after the one-second grace, one when it is back, READY=1 only after the login.
    @Test func anUnreachablePBXIsShownOnceAfterTheGraceAndItsReturnOnce() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let down = TestAMIServer.Script(hangUpAtOnce: true)
            let ami = try TestAMIServer(secret: "s3cret", scripts: [down, down, down, .init()])
            defer { ami.stop() }
            let scratch = try Scratch()
            defer { scratch.cleanUp() }
            let config = try scratch.write("config.toml", Self.amiConfig(port: ami.port, delay: 1))
            let notify = try NotifySocketRecorder(directory: scratch.directory)
            let agent = try AgentProcess(
                ["run", "--config", config.path], environment: scratch.environment(bus: bus, extra: ["NOTIFY_SOCKET": notify.path]),
                log: scratch.directory.appendingPathComponent("agent.log"))
            defer { agent.kill() }

            let problem = try await server.waitForNotify(summary: "callpop cannot reach the PBX", timeout: .seconds(15))
            #expect(!notify.datagrams.contains { $0.contains("READY=1") }, "ready before the login: \(notify.datagrams)")
            let notice = try #require(problem.last)
            #expect(notice.body.contains("No call popups until it is back; callpop keeps trying."), "\(notice.body)")
            #expect(notice.hints.contains(DBusDictionaryEntry(key: .string("category"), value: .variant(.string("network.disconnected")))))

            let all = try await server.waitForNotify(summary: "callpop is connected again", timeout: .seconds(20))
            #expect(all.map(\.summary) == ["callpop cannot reach the PBX", "callpop is connected again"], "\(agent.stderr)")
            #expect(all[1].replacesID == all[0].id, "the good news replaces the bad")
            #expect(all[1].expireTimeout == 10_000)
            let datagrams = try await notify.wait("READY=1") { $0.contains("READY=1") }
            #expect(ami.actions.count == 4 && ami.actions[3].contains("Login"), "\(ami.actions)")
            #expect(datagrams.contains { $0.hasPrefix("STATUS=connecting") }, "\(datagrams)")
            let ready = try #require(datagrams.firstIndex(of: "READY=1"))
            #expect(datagrams[..<ready].last == "STATUS=following calls on ami", "\(datagrams)")
            #expect(datagrams.filter { $0.contains("READY=1") }.count == 1)
            try await agent.stop()
            #expect(notify.datagrams.last == "STOPPING=1")
        }
    }

    /// The notices an agent started on `configuration` shows before it exits 78, and the file's path.
    func startFailure(_ configuration: String) async throws -> (notices: [FakeNotificationServer.Notify], path: String) {
        var result: ([FakeNotificationServer.Notify], String) = ([], "")
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let scratch = try Scratch()
            defer { scratch.cleanUp() }
            let config = try scratch.write("config.toml", configuration)
            let agent = try AgentProcess(
                ["run", "--config", config.path], environment: scratch.environment(bus: bus),
                log: scratch.directory.appendingPathComponent("agent.log"))
            defer { agent.kill() }
            #expect(try await agent.exitStatus() == 78)
            result = (await server.calls.compactMap(\.notify), config.path)
        }
        return result
    }

    @Test func aBrokenConfigurationAtStartIsShown() async throws {
        let (shown, path) = try await startFailure("[user]\nnumber = 201\n")
        #expect(shown.map(\.summary) == ["callpop did not start"])
        // The server reads markup (body-markup): the quotes come escaped.
        #expect(shown.first?.body.hasPrefix("\(path):2:10: number must be a string: write number = &quot;201&quot;") == true,
                "\(shown.first?.body ?? "")")
        #expect(shown.first?.body.contains("Fix it (callpop check, callpop doctor)") == true)
    }

    /// `callpop init` then `callpop autostart enable` used to leave this: an agent that exits at every login.
    @Test func noPBXConfiguredIsShown() async throws {
        let (shown, _) = try await startFailure("[user]\nnumber = \"201\"\n")
        #expect(shown.map(\.summary) == ["callpop did not start"])
        #expect(shown.first?.body.hasPrefix("no PBX configured: set [pbx] source") == true, "\(shown.first?.body ?? "")")
    }

    @Test func aRefusedReloadIsShownAndSoIsTheFix() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let scratch = try Scratch()
            defer { scratch.cleanUp() }
            let fifo = scratch.directory.appendingPathComponent("events.fifo")
            #expect(mkfifo(fifo.path, 0o600) == 0)
            let good = "[user]\nnumber = \"201\"\n\n[pbx]\nsource = \"events\"\npath = \"\(fifo.path)\"\n"
            let config = try scratch.write("config.toml", good)
            let env = scratch.environment(bus: bus)
            let agent = try AgentProcess(["run", "--config", config.path], environment: env, log: scratch.directory.appendingPathComponent("agent.log"))
            defer { agent.kill() }
            try await waitForAgent(env)
            try (good + "[launch]\nportal = \"sometimes\"\n").write(to: config, atomically: true, encoding: .utf8)
            let (refusedCode, _, _) = try await AgentDesktopTests.run(["reload"], environment: env)
            #expect(refusedCode == 1)
            let refused = try await server.waitForNotify(summary: "callpop kept its previous configuration")
            #expect(refused.last?.body.contains("has 1 error, the first: \(config.path):8:10: portal must be auto, always or never, not &apos;sometimes&apos;") == true,
                    "\(refused.last?.body ?? "")")
            try good.write(to: config, atomically: true, encoding: .utf8)
            let (fixedCode, _, _) = try await AgentDesktopTests.run(["reload"], environment: env)
            #expect(fixedCode == 0)
            let all = try await server.waitForNotify(summary: "callpop reloaded its configuration")
            #expect(all.map(\.summary) == ["callpop kept its previous configuration", "callpop reloaded its configuration"])
            try await agent.stop()
        }
    }

    /// The server's ActivationToken reaches the program a click starts (through the real
    /// xdg-open to $BROWSER); an automatic popup gets no token, not even one the agent inherited.
    @Test func theActivationTokenOfAClickReachesTheLaunchedProgram() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let scratch = try Scratch()
            defer { scratch.cleanUp() }
            let fifo = scratch.directory.appendingPathComponent("events.fifo")
            #expect(mkfifo(fifo.path, 0o600) == 0)
            let log = scratch.directory.appendingPathComponent("browser.log")
            let browser = try scratch.write("browser", """
                #!/bin/sh
                printf '%s token=%s startup=%s\\n' "$1" "${XDG_ACTIVATION_TOKEN-unset}" "${DESKTOP_STARTUP_ID-unset}" >> '\(log.path)'
                """)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: browser.path)
            let config = try scratch.write("config.toml", NotificationServerTests.config.replacingOccurrences(of: "FIFO", with: fifo.path))
            let env = scratch.environment(bus: bus, extra: [
                "BROWSER": browser.path, "XDG_ACTIVATION_TOKEN": "stale-from-login", "DESKTOP_STARTUP_ID": "stale-id",
            ])
            let agent = try AgentProcess(["run", "--config", config.path], environment: env, log: scratch.directory.appendingPathComponent("agent.log"))
            defer { agent.kill() }
            let events = try await offPool { try FileHandle(forWritingTo: fifo) }
            events.write(Data(#"{"call":"c1","state":"ringing","direction":"incoming","number":"+442071234567"}"#.utf8 + [0x0A]))
            let ringing = try #require(try await server.waitForCalls(1, "the ringing notification")[0].notify)
            func lines(_ count: Int) async throws -> [String] {
                try await within(.seconds(10), "\(count) browser runs") {
                    while true {
                        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                        let lines = text.split(separator: "\n").map(String.init)
                        if lines.count >= count { return lines }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
            }
            #expect(try await lines(1) == ["https://crm.example.com/?n=%2B442071234567 token=unset startup=unset"])
            await server.emitActivationToken(id: ringing.id, token: "xdg-token-42")
            await server.emitActionInvoked(id: ringing.id, key: "new-ticket")
            #expect(try await lines(2).last == "https://desk.example.com/new?n=%2B442071234567 token=xdg-token-42 startup=xdg-token-42")
            try events.close()
            try await agent.stop()
        }
    }

    /// Waits until the agent answers on the bus.
    func waitForAgent(_ env: [String: String]) async throws {
        try await within(.seconds(10), "the agent on the bus") {
            while true {
                if try await AgentDesktopTests.run(["status", "--json"], environment: env).0 == 0 { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
