import CallPopTestSupport
import Foundation
import Testing

/// The example bridge of `docs/pbx/stream.md` (`docs/pbx/stream-bridge.py`), run as written:
/// webhooks in, server-sent events out, callpop's popups and its bearer token.
@Suite("the example stream bridge", .serialized, .timeLimit(.minutes(1)))
struct StreamBridgeTests {
    static let bridge = Fixtures.repositoryRoot.appendingPathComponent("docs/pbx/stream-bridge.py").path

    @Test("the guide shows the bridge exactly as it is tested")
    func guideShowsTheFile() throws {
        let guide = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/pbx/stream.md"), encoding: .utf8)
        let code = try String(contentsOfFile: Self.bridge, encoding: .utf8)
        #expect(guide.contains("```python\n" + code + "```"))
    }

    @Test("webhooks become popups; a wrong token is refused")
    func webhooksBecomePopups() async throws {
        let port = Int(TestProgram.freePort())
        let pid = try ChildProcess.spawn(["/usr/bin/python3", Self.bridge, String(port)], environment: ["BRIDGE_TOKEN": "bridge-s3cret"])
        defer {
            kill(pid, SIGTERM)
            Task { _ = await ChildProcess.wait(pid) }
        }
        let h = try Harness()
        defer { h.cleanUp() }
        let token = try h.write("bridge.token", "bridge-s3cret\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: token.path)
        let config = try h.write("config.toml", """
            [user]
            number = "201"

            [pbx]
            source = "stream"
            url = "http://127.0.0.1:\(port)/events"
            token_file = "\(token.path)"

            [[popup]]
            name = "CRM"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUM}&did={CALLEDNUM}"
            """)
        func post(_ json: String) async throws -> Int32 {
            try await ChildProcess.run(["/usr/bin/curl", "-sf", "-o", "/dev/null", "-H", "Content-Type: application/json", "--data", json,
                                        "http://127.0.0.1:\(port)/webhook"])
        }
        var up = false
        for _ in 0..<100 where !up {
            up = try await post(#"{"event": "call.created"}"#) == 0
            if !up { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(up, "the bridge did not start")
        let agent = try RunningAgent(h, ["run", "--config", config.path, "--dry-run", "--json"])
        #expect(await agent.wait { _, log in log.contains("reading call events from stream:") }, "\(agent.log)")
        for hook in [
            #"{"event": "call.ringing", "call_id": "w1", "direction": "incoming", "remote_number": "+441234567890", "remote_name": "John Doe", "did": "5550100"}"#,
            #"{"event": "call.answered", "call_id": "w1", "direction": "incoming"}"#,
            #"{"event": "call.hangup", "call_id": "w1", "direction": "incoming"}"#,
        ] { #expect(try await post(hook) == 0) }
        let popped = await agent.wait { output, _ in output.contains(#""rule":"CRM""#) }
        try await agent.stop()
        #expect(popped, "stdout: \(agent.output)\nstderr: \(agent.log)")
        #expect(agent.jsonLines.filter { $0.contains(#""decision":"launch""#) }.count == 1)
        #expect(agent.output.contains(#""url":"https://crm.example.com/?n=%2B441234567890&did=5550100""#))

        let wrong = try h.write("wrong.token", "nope\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: wrong.path)
        let refusedConfig = try h.write("refused.toml", String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: token.path, with: wrong.path))
        let refused = try await h.run(["run", "--config", refusedConfig.path, "--dry-run"])
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("refused the credentials (401)"))
        #expect(!refused.stderr.contains("nope"))
    }
}
