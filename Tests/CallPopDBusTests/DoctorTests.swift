import CallPopTestSupport
import Foundation
import Testing

/// `callpop doctor` through the built binary: against the AMI test server playing a real
/// Asterisk recording (reachable), a closed port (unreachable) and a refused login, with the
/// agent running and stopped, on a private bus with the recording notification server.
@Suite("callpop doctor", .serialized, .enabled(if: TestEnvironment.canRunBusTests, "needs dbus-daemon"))
struct DoctorTests {
    static func recordedEvents(_ scenario: String) throws -> [UInt8] {
        let recorded = String(decoding: try Fixtures.bytes("asterisk-22/\(scenario)/ami.txt"), as: UTF8.self)
        return Array(recorded.components(separatedBy: "\r\n\r\n").filter { $0.hasPrefix("Event: ") }.map { $0 + "\r\n\r\n" }.joined().utf8)
    }

    /// The report's line for `subject`, e.g. "ok    PBX  …".
    static func line(_ report: String, _ subject: String) -> String? {
        report.split(separator: "\n").map(String.init).first { $0.dropFirst(6).hasPrefix(subject + " ") }
    }

    @Test func aReachablePBXAndARunningAgentPassAndAStoppedAgentFails() async throws {
        try await withTestBus { bus in
            _ = try await FakeNotificationServer.start(on: bus)
            let events = try Self.recordedEvents("inbound-missed")
            // The test server serves one connection at a time: one for the agent, one for the doctor's probes.
            let pbx = try TestAMIServer(secret: "s3cret", scripts: [.init(events: events)])
            let ami = try TestAMIServer(secret: "s3cret", scripts: Array(repeating: .init(events: events), count: 2))
            defer {
                pbx.stop()
                ami.stop()
            }
            let scratch = try AgentHealthTests.Scratch()
            defer { scratch.cleanUp() }
            let browser = try scratch.write("browser", "#!/bin/sh\nexit 0\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: browser.path)
            let popup = "\n[[popup]]\nname = \"CRM\"\ntrigger = \"ringing\"\nurl = \"https://crm.example.com/?n={CALLERNUM}\"\n"
            let agentConfig = try scratch.write("agent.toml", AgentHealthTests.amiConfig(port: pbx.port) + popup)
            let config = try scratch.write("config.toml", AgentHealthTests.amiConfig(port: ami.port) + popup)
            let env = scratch.environment(bus: bus, extra: ["BROWSER": browser.path])
            let agent = try AgentProcess(["run", "--config", agentConfig.path], environment: env, log: scratch.directory.appendingPathComponent("agent.log"))
            defer { agent.kill() }
            try await within(.seconds(10), "the agent logged in") {
                while true {
                    let (_, status, _) = try await AgentDesktopTests.run(["status", "--json"], environment: env)
                    if status.contains(#""connection":"connected""#) { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }

            let (code, report, errors) = try await AgentDesktopTests.run(["doctor", "--config", config.path], environment: env)
            #expect(code == 0, "\(report)\(errors)")
            #expect(Self.line(report, "configuration")?.hasPrefix("ok    configuration  \(config.path): 1 popup rule, [pbx] source ami") == true, "\(report)")
            #expect(Self.line(report, "PBX") == "ok    PBX            ami://127.0.0.1:\(ami.port) answers", "\(report)")
            #expect(Self.line(report, "login") == "ok    login          logged in to AMI as \"popup\"", "\(report)")
            #expect(Self.line(report, "extension") == "ok    extension      the PBX knows device PJSIP/201 (RINGING)", "\(report)")
            #expect(Self.line(report, "notifications") == "ok    notifications  fake 1 shows action buttons", "\(report)")
            #expect(Self.line(report, "opener")?.hasPrefix("ok    opener         xdg-open hands URLs to $BROWSER") == true, "\(report)")
            #expect(Self.line(report, "autostart")?.hasPrefix("warn  autostart      off: callpop does not start at login") == true, "\(report)")
            let agentLine = try #require(Self.line(report, "agent"))
            #expect(agentLine.hasPrefix("ok    agent          running since "), "\(report)")
            #expect(agentLine.contains(", ami connected, "), "\(agentLine)")
            #expect(report.hasSuffix("Call popups work (1 warning above).\n"))
            // The probe used its own connection and asked for the devices; the agent's did not.
            #expect(pbx.actions.first == ["Challenge", "Login", "CoreShowChannels", "Filter"], "\(pbx.actions)")
            #expect(ami.actions.first?.prefix(4) == ["Challenge", "Login", "CoreShowChannels", "DeviceStateList"], "\(ami.actions)")

            try await agent.stop()
            let (stoppedCode, stopped, _) = try await AgentDesktopTests.run(["doctor", "--config", config.path], environment: env)
            #expect(stoppedCode == 1)
            #expect(Self.line(stopped, "agent") == "FAIL  agent          not running: no calls are followed", "\(stopped)")
            #expect(stopped.contains("fix: systemctl --user start callpop (or callpop run &)"))
            #expect(stopped.hasSuffix("Call popups do not work yet: fix the 1 FAIL line above, then run callpop doctor again.\n"))
        }
    }

    @Test func anUnreachablePBXAndARefusedLoginFailWithTheirFix() async throws {
        try await withTestBus { bus in
            _ = try await FakeNotificationServer.start(on: bus, capabilities: ["body"], information: ["dunst", "dunst", "1.9.0", "1.2"])
            let scratch = try AgentHealthTests.Scratch()
            defer { scratch.cleanUp() }
            // A port nobody listens on: the test server's, after it stopped.
            let gone = try TestAMIServer(secret: "s3cret", scripts: [])
            let port = gone.port
            gone.stop()
            try await Task.sleep(for: .milliseconds(100))
            let unreachable = try scratch.write("unreachable.toml", AgentHealthTests.amiConfig(port: port))
            let env = scratch.environment(bus: bus)
            let (code, report, _) = try await AgentDesktopTests.run(["doctor", "--config", unreachable.path], environment: env)
            #expect(code == 1)
            #expect(Self.line(report, "PBX")?.hasPrefix("FAIL  PBX            cannot connect to AMI at 127.0.0.1:\(port)") == true, "\(report)")
            #expect(report.contains("fix: check that the PBX runs, that [pbx] url is its AMI address and port"))
            #expect(Self.line(report, "login") == nil, "no login check without a connection")
            // dunst: how to click its actions, even on a server that says it has none to show.
            #expect(Self.line(report, "notifications")?.contains("dunst 1.9.0: actions are in its context menu") == true, "\(report)")
            #expect(report.contains("how: middle-click a call's notification to open its first on-click rule"))

            let refusing = try TestAMIServer(secret: "s3cret", scripts: [.init(acceptLogin: false)])
            defer { refusing.stop() }
            let refused = try scratch.write("refused.toml", AgentHealthTests.amiConfig(port: refusing.port))
            let (refusedCode, refusedReport, _) = try await AgentDesktopTests.run(["doctor", "--config", refused.path], environment: env)
            #expect(refusedCode == 1)
            #expect(Self.line(refusedReport, "PBX")?.hasPrefix("ok    PBX") == true, "\(refusedReport)")
            #expect(Self.line(refusedReport, "login")?.hasPrefix("FAIL  login          the PBX refused the login of AMI user \"popup\"") == true, "\(refusedReport)")
            #expect(refusedReport.contains("fix: check [pbx] username and the password"))
        }
    }
}
