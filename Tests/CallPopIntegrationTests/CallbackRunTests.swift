import CallPopTestSupport
import Foundation
import Testing

/// Callbacks end to end, in the built binary: recorded Asterisk calls through the AMI source,
/// real HTTP servers on 127.0.0.1, the agent killed and started again.
@Suite("callpop run with [[callback]]", .serialized, .timeLimit(.minutes(2)))
struct CallbackRunTests {
    static let referenceQuery = "cname=John%20Doe&cnum=%2B441234567890&uname=Alice%20Agent&unum=201&cdirection=incoming"

    static func config(ami: Int, http: String, token: String, callbacks extra: String = "", timeout: Int = 5) -> String {
        """
        [user]
        number = "201"
        name = "Alice Agent"
        country_code = "44"

        [pbx]
        source = "ami"
        url = "ami://127.0.0.1:\(ami)"
        username = "popup"

        [[popup]]
        name = "CRM"
        trigger = "ringing"
        url = "https://crm.example.com/search?phone={CALLERNUM:e164}"

        [[popup]]
        name = "Answered"
        trigger = "answer"
        url = "https://crm.example.com/answered?phone={CALLERNUM:e164}"

        [[callback]]
        name = "Zoho"
        url = "\(http)/calls?cname={CALLERNAME}&cnum={CALLERNUM}&uname={USERNAME}&unum={USERNUM}&cdirection={CALLTYPE}"
        timeout = \(timeout)

        [[callback]]
        name = "Call log"
        method = "POST"
        events = ["ended"]
        url = "\(http)/log"
        json = '{"number": "{CALLERNUM:e164}", "name": "{CALLERNAME}", "seconds": {DURATION}, "disposition": "{DISPOSITION}", "channel": "{CHANNEL}"}'
        token_file = "\(token)"
        \(extra)
        """
    }

    static func token(_ h: Harness) throws -> String {
        let url = try h.write("crm.token", "crm-s3cret\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return url.path
    }

    /// The URLs the browser recorder was given, once `count` arrived (popups run on in
    /// their own sessions) or after a short wait.
    static func browserURLs(_ h: Harness, count: Int) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(10)
        while try h.invocations("browser").count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))  // and nothing more comes
        return try h.invocations("browser").map { $0.argv.last ?? "" }
    }

    @Test("Done: the reference Callback URL reaches a real server with the right values for the recorded inbound call")
    func referenceExample() async throws {
        let ami = try TestAMIServer(secret: "s3cret", scripts: [.init(events: try AMIStreams.recordedEvents("inbound-answered"))])
        defer { ami.stop() }
        let crm = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 200)], "/log": [.init(status: 201)]])
        defer { Task { await crm.stop() } }
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", Self.config(ami: ami.port, http: crm.baseURL, token: try Self.token(h)))
        let agent = try RunningAgent(h, ["run", "--config", config.path, "--json"], environment: ["CALLPOP_PBX_PASSWORD": "s3cret"])
        let delivered = await agent.wait { output, _ in output.components(separatedBy: #""result":"delivered""#).count == 5 }
        try await agent.stop()
        #expect(delivered, "stdout: \(agent.output)\nstderr: \(agent.log)")

        let calls = crm.requests().filter { $0.path == "/calls" }
        #expect(calls.count == 3, "exactly one new, one updated (the answer), one ended: \(calls)")
        #expect(calls.allSatisfy { $0.method == "GET" && $0.query == Self.referenceQuery && $0.body == "" })
        #expect(calls.allSatisfy { $0.header("User-Agent")?.hasPrefix("callpop/") == true })
        #expect(Set(calls.compactMap { $0.header("Idempotency-Key") }).count == 3)
        let log = try #require(crm.requests().first { $0.path == "/log" })
        #expect(log.method == "POST")
        #expect(log.body == #"{"number": "+441234567890", "name": "John Doe", "seconds": 0, "disposition": "answered", "channel": "PJSIP/201-00000001"}"#)
        #expect(log.header("Content-Type") == "application/json")
        #expect(log.header("Authorization") == "Bearer crm-s3cret")
        #expect(crm.requests().count == 4)
        // The results are in the decision log; the popups opened as ever, once each.
        let results = agent.jsonLines.filter { $0.hasPrefix(#"{"callback":"#) }
        #expect(results.count == 4 && results.allSatisfy { $0.contains(#""attempts":1"#) })
        #expect(results.filter { $0.contains(#""callback":"Zoho""#) }.map { $0.contains(#""event":"new""#) } == [true, false, false])
        // Two xdg-open children race to the recorder: compare as a set.
        let browser = try await Self.browserURLs(h, count: 2).sorted()
        #expect(browser == ["https://crm.example.com/answered?phone=%2B441234567890", "https://crm.example.com/search?phone=%2B441234567890"])
        #expect(!agent.log.contains("crm-s3cret") && !agent.output.contains("crm-s3cret"), "a secret reached the output")
    }

    @Test("a CRM that hangs never delays a popup; killed with callbacks pending, the agent sends them after a restart")
    func killedWithRequestsPending() async throws {
        let port = Int(TestProgram.freePort())
        let hanging = try await TestHTTPServer.start(routes: [:], default: .init(status: 200, delay: 60), port: port)
        let ami = try TestAMIServer(secret: "s3cret", scripts: [.init(events: try AMIStreams.recordedEvents("inbound-answered"))])
        defer { ami.stop() }
        let h = try Harness()
        defer { h.cleanUp() }
        let base = "http://127.0.0.1:\(port)"
        let config = try h.write("config.toml", Self.config(
            ami: ami.port, http: base, token: try Self.token(h), timeout: 30).replacingOccurrences(of: "cdirection={CALLTYPE}", with: "cdirection={CALLTYPE}&ev={EVENT}"))
        let spool = h.directory.appendingPathComponent("home/.local/state/callpop/callbacks").path

        let first = try RunningAgent(h, ["run", "--config", config.path, "--json"], environment: ["CALLPOP_PBX_PASSWORD": "s3cret"], name: "first")
        let popped = await first.wait(seconds: 10) { output, _ in output.contains(#""rule":"Answered""#) }
        let popupTime = ContinuousClock.now - first.started
        #expect(popped, "stdout: \(first.output)\nstderr: \(first.log)")
        // Both popups opened while the CRM had not answered a single callback.
        #expect(popupTime < .seconds(3), "the popups took \(popupTime)")
        #expect(!first.output.contains(#""result":"#))
        let spooled = await first.wait(seconds: 10) { _, _ in (try? FileManager.default.contentsOfDirectory(atPath: spool).count) == 4 }
        #expect(spooled, "the spool holds \((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? [])")
        let keys = Set(try FileManager.default.contentsOfDirectory(atPath: spool).map { String($0.dropLast(".json".count)) })
        try await first.stop(SIGKILL)
        await hanging.stop()
        #expect(hanging.requests().count >= 1)
        for file in try FileManager.default.contentsOfDirectory(atPath: spool) {
            let text = try String(contentsOfFile: spool + "/" + file, encoding: .utf8)
            #expect(!text.contains("crm-s3cret"), "a secret was written to the spool")
            let mode = try FileManager.default.attributesOfItem(atPath: spool + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }

        let crm = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 200)], "/log": [.init(status: 200)]], port: port)
        defer { Task { await crm.stop() } }
        let quiet = try TestAMIServer(secret: "s3cret", scripts: [.init()])
        defer { quiet.stop() }
        let restarted = try h.write("config2.toml", String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "127.0.0.1:\(ami.port)", with: "127.0.0.1:\(quiet.port)"))
        let second = try RunningAgent(h, ["run", "--config", restarted.path, "--json"], environment: ["CALLPOP_PBX_PASSWORD": "s3cret"], name: "second")
        let sent = await second.wait { output, _ in output.components(separatedBy: #""result":"delivered""#).count == 5 }
        try await second.stop()
        #expect(sent, "stdout: \(second.output)\nstderr: \(second.log)")
        let received = crm.requests()
        #expect(Set(received.compactMap { $0.header("Idempotency-Key") }) == keys, "not the spooled requests")
        #expect(received.filter { $0.path == "/calls" }.map { $0.query.components(separatedBy: "&ev=").last ?? "" } == ["new", "updated", "ended"])
        #expect(received.first { $0.path == "/log" }?.header("Authorization") == "Bearer crm-s3cret", "the secret was not added back")
        #expect(second.log.contains("4 callbacks from the spool to send"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: spool))?.isEmpty == true)
        #expect(try await Self.browserURLs(h, count: 2).count == 2, "a popup opened again after the restart")
    }

    @Test("--dry-run and simulate show the exact request, secrets masked, and send nothing")
    func dryRun() async throws {
        let crm = try await TestHTTPServer.start(routes: [:], default: .init(status: 200))
        defer { Task { await crm.stop() } }
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", Self.config(ami: 1, http: crm.baseURL, token: try Self.token(h))
            .replacingOccurrences(of: "source = \"ami\"", with: "source = \"none\"")
            .replacingOccurrences(of: "url = \"ami://127.0.0.1:1\"\nusername = \"popup\"\n", with: ""))
        let events = [
            #"{"call":"d1","state":"ringing","direction":"incoming","number":"+441234567890","name":"John Doe"}"#,
            #"{"call":"d1","state":"ended","direction":"incoming"}"#,
        ].joined(separator: "\n") + "\n"
        let run = try await h.run(["run", "--config", config.path, "--events", "-", "--dry-run"], input: events)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("[dry-run] callback \"Zoho\" new for call d1: GET \(crm.baseURL)/calls?\(Self.referenceQuery)"), "\(run.stdout)")
        #expect(lines.contains("[dry-run] callback \"Call log\" ended for call d1: POST \(crm.baseURL)/log"))
        #expect(lines.contains("  Authorization: ****"))
        #expect(lines.contains(#"  {"number": "+441234567890", "name": "John Doe", "seconds": 0, "disposition": "missed", "channel": ""}"#))
        #expect(!run.stdout.contains("crm-s3cret") && !run.stderr.contains("crm-s3cret"))

        let simulated = try await h.run(["simulate", "--config", config.path, "--direction", "incoming", "--number", "+441234567890", "--name", "John Doe", "--json"])
        let callback = simulated.stdout.split(separator: "\n").first { $0.hasPrefix(#"{"callback":"Zoho""#) }.map(String.init)
        #expect(callback?.contains(#""method":"GET","url":"\#(crm.baseURL)/calls?\#(Self.referenceQuery)""#) == true, "\(simulated.stdout) \(simulated.stderr)")
        #expect(callback?.contains(#""event":"new""#) == true)
        try await Task.sleep(for: .milliseconds(300))
        #expect(crm.requests().isEmpty, "a dry run sent a request")
        #expect(!FileManager.default.fileExists(atPath: h.directory.appendingPathComponent("home/.local/state/callpop/callbacks").path))
    }
}
