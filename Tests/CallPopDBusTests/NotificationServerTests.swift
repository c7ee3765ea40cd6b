import CallPopDBus
import CallPopTestSupport
import Foundation
import Testing

/// What real notification servers show of callpop's calls and health notices: stock dunst in
/// an Xvfb session (read back with `dunst -print`, its context menu answered by a recording
/// dmenu), and a server that shows buttons (the recording one, introducing itself as
/// notification-daemon does) — for ringing, answered, ended and missed calls and for each
/// health notice.
@Suite("Notification servers in a real X session", .serialized,
       .enabled(if: TestEnvironment.canRunBusTests && DesktopLab.available, "needs dbus-daemon, Xvfb and dunst"))
struct NotificationServerTests {
    typealias Shown = DesktopLab.Shown

    static let config = """
        [user]
        number = "201"

        [pbx]
        source = "events"
        path = "FIFO"

        [[popup]]
        name = "CRM"
        trigger = "ringing"
        url = "https://crm.example.com/?n={CALLERNUM}"

        [[popup]]
        name = "New ticket"
        trigger = "on-click"
        url = "https://desk.example.com/new?n={CALLERNUM}"

        [[popup]]
        name = "Open contact"
        trigger = "on-click"
        url = "https://crm.example.com/contact?n={CALLERNUM}"
        """

    static let john = #"{"call":"c1","state":"ringing","direction":"incoming","number":"+442071234567","name":"John Doe"}"#
    static let jane = #"{"call":"c2","state":"ringing","direction":"incoming","number":"+443001112222","name":"Jane Roe"}"#

    /// A scratch directory with the agent's configuration, its FIFO and a `$BROWSER` recorder.
    struct Setup {
        let scratch: AgentHealthTests.Scratch
        let config: URL
        let fifo: URL
        let opened: URL

        init(configuration: String = NotificationServerTests.config) throws {
            scratch = try AgentHealthTests.Scratch()
            fifo = scratch.directory.appendingPathComponent("events.fifo")
            guard mkfifo(fifo.path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
            config = try scratch.write("config.toml", configuration.replacingOccurrences(of: "FIFO", with: fifo.path))
            opened = scratch.directory.appendingPathComponent("browser.log")
            let browser = try scratch.write("browser", "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '\(opened.path)'\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: browser.path)
        }

        func environment(_ bus: TestBus) -> [String: String] {
            scratch.environment(bus: bus, extra: ["BROWSER": scratch.directory.appendingPathComponent("browser").path])
        }

        /// The URLs opened so far, once there are `count`.
        func urls(_ count: Int) async throws -> [String] {
            try await within(.seconds(10), "\(count) pages opened") {
                while true {
                    let lines = ((try? String(contentsOf: opened, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
                    if lines.count >= count { return lines }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }
    }

    /// Starts the agent on `setup` and returns it with a writer on its FIFO.
    static func startAgent(_ setup: Setup, _ bus: TestBus) async throws -> (AgentProcess, FileHandle) {
        let agent = try AgentProcess(
            ["run", "--config", setup.config.path], environment: setup.environment(bus),
            log: setup.scratch.directory.appendingPathComponent("agent.log"))
        let fifo = setup.fifo
        let writer = try await offPool { try FileHandle(forWritingTo: fifo) }
        return (agent, writer)
    }

    /// Runs `body` with a private bus, an Xvfb display with stock dunst on it, and a setup.
    static func withDunst(_ body: @Sendable (TestBus, Setup, DesktopLab.Dunst) async throws -> Void) async throws {
        try await withTestBus { bus in
            let display = try DesktopLab.Display()
            defer { display.stop() }
            let setup = try Setup()
            defer { setup.scratch.cleanUp() }
            let dunst = try await DesktopLab.Dunst(display: display, bus: bus, directory: setup.scratch.directory)
            defer { dunst.stop() }
            try await body(bus, setup, dunst)
        }
    }

    static func send(_ writer: FileHandle, _ line: String) {
        writer.write(Data((line + "\n").utf8))
    }

    // MARK: Calls

    @Test func stockDunstShowsEachCallAndItsMenuNamesTheCallers() async throws {
        try await Self.withDunst { bus, setup, dunst in
            let (agent, writer) = try await Self.startAgent(setup, bus)
            defer { agent.kill() }

            Self.send(writer, Self.john)
            let ringing = try await dunst.waitForReceived(1, "John's ringing call")
            #expect(ringing[0] == Shown(
                summary: "Incoming call", body: "<b>John Doe</b>\n+442071234567", icon: "call-start-symbolic", urgency: "CRITICAL",
                actions: ["default": "New ticket: John Doe", "open-contact": "Open contact: John Doe"]), "\(ringing[0])")
            Self.send(writer, Self.jane)
            _ = try await dunst.waitForReceived(2, "Jane's ringing call")

            // Two calls in the menu: every entry names its caller, and none is there twice.
            let menu = try await dunst.contextMenu(choosing: "Open contact: Jane Roe")
            let entries = menu.map { $0.replacingOccurrences(of: #" \[\d+,"#, with: " [", options: .regularExpression) }.sorted()
            #expect(entries == [
                "#New ticket: Jane Roe (Incoming call) [default]",
                "#New ticket: John Doe (Incoming call) [default]",
                "#Open contact: Jane Roe (Incoming call) [open-contact]",
                "#Open contact: John Doe (Incoming call) [open-contact]",
            ], "\(menu)")
            // The entry chosen in the menu opens that rule for that caller (after both automatic popups).
            #expect(try await setup.urls(3).last == "https://crm.example.com/contact?n=%2B443001112222")

            Self.send(writer, #"{"call":"c1","state":"answered","direction":"incoming"}"#)
            let answered = try await dunst.waitForReceived(3, "John's answered call")
            #expect(answered[2] == Shown(
                summary: "Call in progress", body: "<b>John Doe</b>\n+442071234567", icon: "call-start-symbolic", urgency: "NORMAL",
                actions: ["default": "New ticket: John Doe", "open-contact": "Open contact: John Doe"]), "\(answered[2])")

            // John hangs up after talking: his notification goes; Jane's call ends unanswered: missed.
            Self.send(writer, #"{"call":"c1","state":"ended","direction":"incoming"}"#)
            try await within(.seconds(10), "John's notification closed") {
                while try await dunst.control(["count", "displayed"]).trimmingCharacters(in: .whitespacesAndNewlines) != "1" {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            Self.send(writer, #"{"call":"c2","state":"ended","direction":"incoming"}"#)
            let missed = try await dunst.waitForReceived(4, "Jane's missed call")
            #expect(missed[3] == Shown(
                summary: "Missed call", body: "<b>Jane Roe</b>\n+443001112222", icon: "call-missed-symbolic", urgency: "NORMAL",
                actions: ["default": "New ticket: Jane Roe", "open-contact": "Open contact: Jane Roe"]), "\(missed[3])")
            #expect(dunst.received.count == 4, "one notification per change, no more: \(dunst.received)")

            // dunst found every icon in the installed theme.
            _ = try await dunst.control(["close-all"])
            let history = try await dunst.control(["history"])
            let paths = history.components(separatedBy: "\"icon_path\" : {").dropFirst().compactMap {
                $0.components(separatedBy: "\"data\" : \"").dropFirst().first?.components(separatedBy: "\"").first
            }
            #expect(!paths.isEmpty && paths.allSatisfy { $0.hasPrefix("/") && FileManager.default.fileExists(atPath: $0) }, "\(history)")
            try writer.close()
            try await agent.stop()
        }
    }

    /// The same calls on a server that shows buttons: every rule its own button (the first also
    /// the click on the notification), labels without the caller (the notification shows it).
    @Test func aServerWithButtonsShowsEachCall() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(
                on: bus, information: ["Notification Daemon", "GNOME", "3.20.0", "1.2"])
            let setup = try Setup()
            defer { setup.scratch.cleanUp() }
            let (agent, writer) = try await Self.startAgent(setup, bus)
            defer { agent.kill() }
            let buttons = ["default": "New ticket", "new-ticket": "New ticket", "open-contact": "Open contact"]
            // One change at a time: changes that come while the server has not yet answered are
            // folded into the latest (see NotificationStateMachine), which is not what this test is about.
            var calls: [FakeNotificationServer.Call] = []
            for (count, line) in [
                Self.john, #"{"call":"c1","state":"answered","direction":"incoming"}"#, #"{"call":"c1","state":"ended","direction":"incoming"}"#,
                Self.jane, #"{"call":"c2","state":"ended","direction":"incoming"}"#,
            ].enumerated() {
                Self.send(writer, line)
                calls = try await server.waitForCalls(count + 1, "notification call \(count + 1)")
            }
            let shown = calls.compactMap(\.notify).map(Shown.init)
            #expect(shown == [
                Shown(summary: "Incoming call", body: "<b>John Doe</b>\n+442071234567", icon: "call-start-symbolic", urgency: "CRITICAL", actions: buttons),
                Shown(summary: "Call in progress", body: "<b>John Doe</b>\n+442071234567", icon: "call-start-symbolic", urgency: "NORMAL", actions: buttons),
                Shown(summary: "Incoming call", body: "<b>Jane Roe</b>\n+443001112222", icon: "call-start-symbolic", urgency: "CRITICAL", actions: buttons),
                Shown(summary: "Missed call", body: "<b>Jane Roe</b>\n+443001112222", icon: "call-missed-symbolic", urgency: "NORMAL", actions: buttons),
            ], "\(shown)")
            // The ended call is closed, not shown as ended.
            #expect(calls.contains(.close(calls[0].notify?.id ?? 0)))
            let hints = try #require(calls[0].notify?.hints)
            #expect(hints.contains(DBusDictionaryEntry(key: .string("desktop-entry"), value: .variant(.string("callpop")))))
            try writer.close()
            try await agent.stop()
        }
    }

    // MARK: Health

    /// Every health notice, as stock dunst shows it.
    @Test func stockDunstShowsEachHealthNotice() async throws {
        try await Self.withDunst { bus, setup, dunst in
            let shown = try await Self.everyHealthNotice(setup, bus) { count in try await dunst.waitForReceived(count, "\(count) notices") }
            #expect(shown.map(\.summary) == Self.healthSummaries, "\(shown)")
            #expect(shown.map(\.urgency) == ["CRITICAL", "CRITICAL", "NORMAL", "CRITICAL", "CRITICAL", "CRITICAL", "NORMAL"])
            #expect(shown.map(\.icon) == ["dialog-warning-symbolic", "dialog-warning-symbolic", "emblem-ok-symbolic", "dialog-warning-symbolic",
                                          "dialog-warning-symbolic", "dialog-warning-symbolic", "emblem-ok-symbolic"])
            #expect(shown.allSatisfy { $0.actions.isEmpty })
            #expect(shown[0].body.contains("number must be a string: write number = &quot;201&quot;"), "\(shown[0].body)")
            #expect(shown[1].body.contains("No call popups until it is back; callpop keeps trying."))
            #expect(shown[3].body.contains("Check username and the password in [pbx]"))
            #expect(shown[4].body.contains("is a regular file and was read to its end"))
            #expect(shown[5].body.contains("portal must be auto, always or never"))
        }
    }

    /// Every health notice on the server that shows buttons.
    @Test func aServerWithButtonsShowsEachHealthNotice() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus, information: ["Notification Daemon", "GNOME", "3.20.0", "1.2"])
            let setup = try Setup()
            defer { setup.scratch.cleanUp() }
            let shown = try await Self.everyHealthNotice(setup, bus) { count in
                try await within(.seconds(10), "\(count) notices") {
                    while true {
                        let shown = await server.calls.compactMap(\.notify).map(Shown.init)
                        if shown.count >= count { return shown }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
            }
            #expect(shown.map(\.summary) == Self.healthSummaries, "\(shown)")
            #expect(shown.map(\.icon) == ["dialog-warning-symbolic", "dialog-warning-symbolic", "emblem-ok-symbolic", "dialog-warning-symbolic",
                                          "dialog-warning-symbolic", "dialog-warning-symbolic", "emblem-ok-symbolic"])
        }
    }

    static let healthSummaries = [
        "callpop did not start", "callpop cannot reach the PBX", "callpop is connected again", "The PBX refused callpop",
        "callpop receives no calls", "callpop kept its previous configuration", "callpop reloaded its configuration",
    ]

    /// Makes the agent run into each problem in turn; `shown(count)` waits for the server to
    /// have shown `count` notices and returns them.
    static func everyHealthNotice(
        _ setup: Setup, _ bus: TestBus, shown: @escaping @Sendable (Int) async throws -> [Shown]
    ) async throws -> [Shown] {
        let env = setup.environment(bus)
        func run(_ name: String, _ configuration: String) throws -> AgentProcess {
            let file = try setup.scratch.write(name, configuration)
            return try AgentProcess(["run", "--config", file.path], environment: env, log: setup.scratch.directory.appendingPathComponent(name + ".log"))
        }
        // 1. A configuration with an error: the agent does not start.
        #expect(try await run("broken.toml", "[user]\nnumber = 201\n").exitStatus() == 78)
        _ = try await shown(1)
        // 2, 3. The PBX hangs up three times (past the one-second grace), then takes the login.
        let down = TestAMIServer.Script(hangUpAtOnce: true)
        let flaky = try TestAMIServer(secret: "s3cret", scripts: [down, down, down, .init()])
        defer { flaky.stop() }
        let reconnecting = try run("flaky.toml", AgentHealthTests.amiConfig(port: flaky.port, delay: 1))
        defer { reconnecting.kill() }
        _ = try await shown(3)
        try await reconnecting.stop()
        // 4. The PBX refuses the login.
        let refusing = try TestAMIServer(secret: "s3cret", scripts: [.init(acceptLogin: false)])
        defer { refusing.stop() }
        #expect(try await run("refused.toml", AgentHealthTests.amiConfig(port: refusing.port)).exitStatus() == 78)
        _ = try await shown(4)
        // 5. The configured event source is a regular file, read to its end.
        let file = try setup.scratch.write("events.ndjson", "")
        let once = try run("file.toml", "[user]\nnumber = \"201\"\n\n[pbx]\nsource = \"events\"\npath = \"\(file.path)\"\n")
        defer { once.kill() }
        _ = try await shown(5)
        try await once.stop()
        // 6, 7. A reload with an error is refused, and the corrected one taken.
        let good = "[user]\nnumber = \"201\"\n\n[pbx]\nsource = \"events\"\npath = \"\(setup.fifo.path)\"\n"
        let reloading = try run("reload.toml", good)
        defer { reloading.kill() }
        try await AgentHealthTests().waitForAgent(env)
        let reload = setup.scratch.directory.appendingPathComponent("reload.toml")
        try (good + "[launch]\nportal = \"sometimes\"\n").write(to: reload, atomically: true, encoding: .utf8)
        _ = try await AgentDesktopTests.run(["reload"], environment: env)
        _ = try await shown(6)
        try good.write(to: reload, atomically: true, encoding: .utf8)
        _ = try await AgentDesktopTests.run(["reload"], environment: env)
        let all = try await shown(7)
        try await reloading.stop()
        return all
    }
}
