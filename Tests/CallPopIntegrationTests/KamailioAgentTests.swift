import CallPopTestSupport
import Foundation
import Testing

/// The built `callpop` binary with `[pbx] source = "sip"` against the real Kamailio lab and
/// sipp phones: SIP in, printed decisions out. (The whole suite runs one test at a time,
/// so only one Kamailio lab runs on port 5160.)
@Suite(.serialized) struct KamailioAgentTests {
    static let agentConfiguration = """
        [user]
        number = "201"
        name = "Alice Agent"
        country_code = "44"

        [pbx]
        source = "sip"
        uri = "sip:201@127.0.0.1"
        outbound_proxy = "127.0.0.1:5160"
        password_env = "CALLPOP_TEST_SIP_PASSWORD"

        [[popup]]
        name = "CRM"
        trigger = "ringing"
        url = "https://crm.example.com/search?phone={CALLERNUM}&did={CALLEDNUM}"

        [[popup]]
        name = "Answered"
        trigger = "answer"
        url = "https://crm.example.com/answered?phone={CALLERNUM}"
        """

    /// The `callpop` executable next to the test bundle.
    static var callpopBinary: URL {
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/", !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("callpop").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("callpop")
    }

    @Test func agentPrintsDecisionsForARealCall() async throws {
        guard KamailioLab.available() else { return }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-sip-agent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = scratch.appendingPathComponent("config.toml")
        try Self.agentConfiguration.write(to: config, atomically: true, encoding: .utf8)
        let out = scratch.appendingPathComponent("stdout.txt"), err = scratch.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)

        try await KamailioLab.withLab {
            let agent = Process()
            agent.executableURL = Self.callpopBinary
            agent.arguments = ["run", "--config", config.path, "--dry-run", "--json"]
            agent.environment = ["PATH": "/usr/bin:/bin", "HOME": scratch.path, "CALLPOP_TEST_SIP_PASSWORD": "201-secret"]
            agent.standardOutput = try FileHandle(forWritingTo: out)
            agent.standardError = try FileHandle(forWritingTo: err)
            try agent.run()
            defer { agent.terminate(); agent.waitUntilExit() }
            // Subscribed once the first NOTIFY is in (the source reports it in the log).
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline,
                  !((try? String(contentsOf: err, encoding: .utf8)) ?? "").contains("subscribed") {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await KamailioLab.play("inbound-answered")
            var decisions: [String] = []
            while ContinuousClock.now < deadline + .seconds(30) {
                decisions = ((try? String(contentsOf: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
                if decisions.count >= 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            #expect(decisions.count == 2, "decisions: \(decisions)\nlog: \(log)")
            #expect(decisions.first?.contains(#""rule":"CRM","rule_id":"crm","trigger":"ringing","direction":"incoming","decision":"launch","action":"url","url":"https://crm.example.com/search?phone=%2B441234567890&did=201""#) == true, "\(decisions)")
            #expect(decisions.last?.contains(#""rule":"Answered","rule_id":"answered","trigger":"answer","direction":"incoming","decision":"launch""#) == true, "\(decisions)")
            #expect(!log.contains("201-secret"), "the password reached the log")
        }
    }

    /// SIGTERM ends the agent within a second and its un-SUBSCRIBE (Expires: 0) reaches
    /// Kamailio every time: the relay between them sees it pass and Kamailio's 200 come back.
    @Test func sigtermSendsTheUnsubscribeEveryTime() async throws {
        guard KamailioLab.available() else { return }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-sip-stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try await KamailioLab.withLab {
            for round in 1...5 {
                let dumps = scratch.appendingPathComponent("round-\(round)")
                try FileManager.default.createDirectory(at: dumps, withIntermediateDirectories: true)
                let relay = try await UDPRelay(dumpDirectory: dumps)
                let config = scratch.appendingPathComponent("config-\(round).toml")
                try Self.agentConfiguration.replacingOccurrences(of: "127.0.0.1:5160", with: "127.0.0.1:\(relay.port)")
                    .write(to: config, atomically: true, encoding: .utf8)
                let err = scratch.appendingPathComponent("stderr-\(round).txt")
                _ = FileManager.default.createFile(atPath: err.path, contents: nil)
                let agent = Process()
                agent.executableURL = Self.callpopBinary
                agent.arguments = ["run", "--config", config.path, "--dry-run", "--no-control"]
                agent.environment = ["PATH": "/usr/bin:/bin", "HOME": scratch.path, "CALLPOP_TEST_SIP_PASSWORD": "201-secret"]
                agent.standardOutput = FileHandle.nullDevice
                agent.standardError = try FileHandle(forWritingTo: err)
                try agent.run()
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline,
                      !((try? String(contentsOf: err, encoding: .utf8)) ?? "").contains("subscribed to") {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let stopped = ContinuousClock.now
                agent.terminate()
                try await offPool { agent.waitUntilExit() }
                let took = ContinuousClock.now - stopped
                try await Task.sleep(for: .milliseconds(200))
                await relay.stop()
                let files = try FileManager.default.contentsOfDirectory(atPath: dumps.path).sorted()
                let messages = try files.map { (name: $0, text: try String(contentsOf: dumps.appendingPathComponent($0), encoding: .utf8)) }
                let goodbye = messages.last { $0.name.hasSuffix("c2s.sip") && $0.text.hasPrefix("SUBSCRIBE ") && $0.text.contains("\r\nExpires: 0\r\n") }
                let cseq = goodbye?.text.split(separator: "\r\n").first { $0.hasPrefix("CSeq:") }
                let answered = messages.contains { $0.name.hasSuffix("s2c.sip") && $0.text.hasPrefix("SIP/2.0 200") && cseq.map($0.text.contains) == true }
                #expect(goodbye != nil, "round \(round): no un-SUBSCRIBE reached the relay")
                #expect(answered, "round \(round): Kamailio did not answer the un-SUBSCRIBE")
                #expect(took < .seconds(1), "round \(round): SIGTERM took \(took)")
                #expect(agent.terminationStatus == 0)
            }
        }
    }
}
