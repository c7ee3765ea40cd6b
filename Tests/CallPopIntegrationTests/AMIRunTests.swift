import CallPopTestSupport
import Foundation
import Testing

/// `callpop run --dry-run` against an AMI server playing a real Asterisk 22 recording:
/// the whole path from the socket to printed decisions, in the built binary.
@Suite("callpop run with [pbx] source = \"ami\"")
struct AMIRunTests {
    static func config(port: Int) -> String {
        """
        [user]
        number = "201"
        name = "Alice Agent"
        country_code = "44"

        [pbx]
        source = "ami"
        url = "ami://127.0.0.1:\(port)"
        username = "popup"

        [[popup]]
        name = "CRM"
        trigger = "ringing"
        url = "https://crm.example.com/search?phone={CALLERNUM:e164}&name={CALLERNAME}&did={CALLEDNUM}"

        [[popup]]
        name = "Log answer"
        trigger = "answer"
        app = ["logger", "--tag=callpop", "answered={CALLERNUM}"]
        """
    }

    @Test("inbound-answered: ringing and answer popups once each, exact URL and argv")
    func inboundAnswered() async throws {
        // The recording's events only: the fake server does the banner, login and Goodbye itself.
        let events = try AMIStreams.recordedEvents("inbound-answered")
        let server = try TestAMIServer(secret: "s3cret", scripts: [.init(events: events, then: .stayOpen)])
        defer { server.stop() }
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", Self.config(port: server.port))
        let out = h.directory.appendingPathComponent("stdout.txt")
        let err = h.directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)

        let process = Process()
        process.executableURL = Harness.binary
        process.arguments = ["run", "--config", config.path, "--dry-run", "--json"]
        process.environment = h.environment.merging(["CALLPOP_PBX_PASSWORD": "s3cret"]) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let text = try await SignalTests.waitFor(#""rule":"Log answer""#, in: out)
        kill(process.processIdentifier, SIGTERM)
        try await offPool { process.waitUntilExit() }

        let lines = text.split(separator: "\n").map(String.init)
        let log = try String(contentsOf: err, encoding: .utf8)
        #expect(lines == [
            #"{"call":"1795593625.0","rule":"CRM","rule_id":"crm","trigger":"ringing","direction":"incoming","decision":"launch","action":"url","url":"https://crm.example.com/search?phone=%2B441234567890&name=John%20Doe&did=5550100","argv":["xdg-open","https://crm.example.com/search?phone=%2B441234567890&name=John%20Doe&did=5550100"],"number":"+441234567890","name":"John Doe"}"#,
            #"{"call":"1795593625.0","rule":"Log answer","rule_id":"log-answer","trigger":"answer","direction":"incoming","decision":"launch","action":"app","argv":["logger","--tag=callpop","answered=+441234567890"],"number":"+441234567890","name":"John Doe"}"#,
        ], "stderr: \(log)")
        #expect(!log.contains("s3cret"), "the secret reached the log")
        #expect(server.actions.first?.contains("Logoff") == true, "no Logoff on SIGTERM: \(server.actions) \(log)")
    }

    @Test("a refused login stops the agent with a clear message and exit status 78")
    func refusedLogin() async throws {
        let server = try TestAMIServer(secret: "right", scripts: [.init(acceptLogin: false)])
        defer { server.stop() }
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", Self.config(port: server.port))
        let result = try await h.run(["run", "--config", config.path, "--dry-run"], extraEnvironment: ["CALLPOP_PBX_PASSWORD": "wrong"])
        #expect(result.status == 78, "EX_CONFIG: a refused login is not retried by systemd either")
        #expect(result.stderr.contains("callpop: "))
        #expect(result.stderr.lowercased().contains("login"))
        #expect(!result.stderr.contains("wrong"), "the secret reached the log")
        #expect(server.actions.count == 1, "retried a refused login: \(server.actions)")
    }
}
