import CallPopTestSupport
import Foundation
import Testing

/// The event-stream source, the colleague directory and provisioned rules, in the built
/// binary against real HTTP servers on 127.0.0.1.
@Suite("callpop run over HTTP", .serialized, .timeLimit(.minutes(2)))
struct RemoteRunTests {
    static func line(_ call: String, _ state: String) -> String {
        #"{"call":"\#(call)","state":"\#(state)","direction":"incoming","number":"+441234567890","name":"John Doe"}"#
    }

    @Test("a stream that drops and resumes: Last-Event-ID sent, replayed events open nothing twice")
    func streamDropsAndResumes() async throws {
        func event(_ id: Int, _ data: String) -> TestHTTPServer.Response.Chunk { .init("id: \(id)\ndata: \(data)\n\n") }
        // The bridge drops after the ringing, then (ignoring Last-Event-ID) replays it before going on.
        let bridge = try await TestHTTPServer.start(routes: ["/events": [
            .init(headers: ["Content-Type": "text/event-stream"], chunks: [event(1, Self.line("s1", "ringing"))]),
            .init(headers: ["Content-Type": "text/event-stream"], chunks: [
                event(1, Self.line("s1", "ringing")), event(2, Self.line("s1", "answered")), event(3, Self.line("s1", "ended")),
            ], hold: 30),
        ]])
        defer { Task { await bridge.stop() } }
        let crm = try await TestHTTPServer.start(routes: [:], default: .init(status: 200))
        defer { Task { await crm.stop() } }
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", """
            [user]
            number = "201"

            [pbx]
            source = "stream"
            url = "\(bridge.baseURL)/events"

            [[popup]]
            name = "CRM"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUM}"

            [[popup]]
            name = "Answered"
            trigger = "answer"
            url = "https://crm.example.com/answered?n={CALLERNUM}"

            [[callback]]
            name = "Log"
            url = "\(crm.baseURL)/calls?e={EVENT}&n={CALLERNUM}"
            """)
        let agent = try RunningAgent(h, ["run", "--config", config.path, "--json"])
        let done = await agent.wait { output, _ in output.components(separatedBy: #""result":"delivered""#).count == 4 }
        try await agent.stop()
        #expect(done, "stdout: \(agent.output)\nstderr: \(agent.log)")
        let requests = bridge.requests()
        #expect(requests.count == 2 && requests.last?.header("Last-Event-ID") == "1", "\(requests)")
        let launches = agent.jsonLines.filter { $0.contains(#""decision":"launch""#) }
        #expect(launches.count == 2, "\(launches)")
        #expect(crm.requests().map(\.query) == ["e=new&n=%2B441234567890", "e=updated&n=%2B441234567890", "e=ended&n=%2B441234567890"])
        #expect(agent.log.contains("reconnecting in"))
        let opened = await Self.browserCount(h, atLeast: 2)
        #expect(opened == 2, "popups opened \(opened) times")
    }

    static func browserCount(_ h: Harness, atLeast count: Int) async -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        while ((try? h.invocations("browser").count) ?? 0) < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        try? await Task.sleep(for: .milliseconds(300))
        return (try? h.invocations("browser").count) ?? 0
    }

    /// Three starts of the agent: with the server up (the documents are fetched and cached),
    /// with the server answering 304 and a broken fragment (the last good copies stay), and
    /// with the server gone (the cached copies are used). Each time one call from a colleague
    /// (no popup) and one from a stranger (the provisioned popup).
    @Test("directory and provisioning: ETags, a broken fragment keeps the last good copy, a start without network uses the cache")
    func directoryAndProvisioning() async throws {
        let fragment = """
            [[popup]]
            name = "Office CRM"
            trigger = "ringing"
            url = "https://office-crm.example.com/?n={CALLERNUM}"
            """
        let server = try await TestHTTPServer.start(routes: [
            "/api/v1/Colleagues/": [.init(body: String(decoding: try Fixtures.bytes("wildix/colleagues.json"), as: UTF8.self), etag: "\"dir-1\"")],
            "/callpop/201.toml": [.init(body: fragment, etag: "\"rules-1\"")],
        ])
        defer { Task { await server.stop() } }
        let h = try Harness()
        defer { h.cleanUp() }
        let token = try h.write("pbx.token", "wildix-token")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: token.path)
        let config = try h.write("config.toml", """
            [user]
            number = "201"

            [colleagues]
            same_length_as_user = false
            url = "\(server.baseURL)/api/v1/Colleagues/"
            token_file = "\(token.path)"

            [provisioning]
            url = "\(server.baseURL)/callpop/{USERNUM}.toml"
            """)
        let calls = [
            #"{"call":"x1","state":"ringing","direction":"incoming","number":"+447700900202","name":"Bob Builder"}"#,
            #"{"call":"x2","state":"ringing","direction":"incoming","number":"+15551234567","name":"Stranger"}"#,
        ].joined(separator: "\n") + "\n"

        /// One start: waits for each of `ready` in the log, then feeds the two calls through a FIFO.
        func start(_ name: String, ready: [String]) async throws -> RunningAgent {
            let fifo = h.directory.appendingPathComponent("\(name).fifo")
            #expect(mkfifo(fifo.path, 0o600) == 0)
            let agent = try RunningAgent(h, ["run", "--config", config.path, "--events", fifo.path, "--dry-run", "--json"], name: name)
            let writer = try await offPool { try FileHandle(forWritingTo: fifo) }
            let isReady = await agent.wait { _, log in ready.allSatisfy(log.contains) }
            #expect(isReady, "\(name): no '\(ready)' in \(agent.log)")
            writer.write(Data(calls.utf8))
            try writer.close()
            try await agent.finish()
            return agent
        }
        func decisions(_ agent: RunningAgent) -> [String] {
            agent.jsonLines.map { line in
                let call = line.contains(#""call":"x1""#) ? "x1" : "x2"
                let verdict = line.contains(#""decision":"launch""#) ? "launch" : line.contains(#""reason":"colleague""#) ? "colleague" : "other"
                return "\(call) \(verdict)"
            }
        }

        let first = try await start(
            "first", ready: ["provisioned rules from 127.0.0.1:\(server.port) updated", "colleague directory from 127.0.0.1:\(server.port) updated"])
        #expect(decisions(first) == ["x1 colleague", "x2 launch"], "stdout: \(first.output)\nstderr: \(first.log)")
        #expect(server.requests().first { $0.path == "/api/v1/Colleagues/" }?.header("Authorization") == "Bearer wildix-token")

        // The directory has not changed (304); the fragment is now broken.
        try server.setRoutes([
            "/api/v1/Colleagues/": [.init(body: "[]", etag: "\"dir-1\"")],
            "/callpop/201.toml": [.init(body: "[[popup]\nname = \"Broken\"\n", etag: "\"rules-2\"")],
        ])
        let before = server.requests().count
        let second = try await start("second", ready: ["the last good copy stays"])
        #expect(decisions(second) == ["x1 colleague", "x2 launch"], "stdout: \(second.output)\nstderr: \(second.log)")
        #expect(second.log.contains("provisioned rules from 127.0.0.1:\(server.port) refused, the last good copy stays:\n\(server.baseURL)/callpop/201.toml:1:"))
        let conditional = server.requests().dropFirst(before)
        #expect(conditional.first { $0.path == "/api/v1/Colleagues/" }?.header("If-None-Match") == "\"dir-1\"")
        #expect(conditional.first { $0.path == "/callpop/201.toml" }?.header("If-None-Match") == "\"rules-1\"")

        await server.stop()
        let third = try await start("third", ready: ["provisioned rules: ", "colleague directory: "])
        #expect(decisions(third) == ["x1 colleague", "x2 launch"], "stdout: \(third.output)\nstderr: \(third.log)")
        #expect(third.log.contains("keeping the last good copy"))
        let cache = h.directory.appendingPathComponent("home/.cache/callpop").path
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).sorted() == ["colleagues.json", "colleagues.json.meta", "provisioned.toml", "provisioned.toml.meta"])
        #expect((try FileManager.default.attributesOfItem(atPath: cache + "/provisioned.toml")[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: cache + "/provisioned.toml", encoding: .utf8) == fragment)
    }
}
