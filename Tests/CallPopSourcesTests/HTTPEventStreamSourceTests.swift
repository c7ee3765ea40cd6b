import CallPopCore
import CallPopHTTP
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing

/// `[pbx] source = "stream"` against a real HTTP server: NDJSON and server-sent events, a
/// stream that drops and resumes with `Last-Event-ID`, Unix sockets, refused credentials.
@Suite(.timeLimit(.minutes(1))) struct HTTPEventStreamSourceTests {
    static let client = HTTPClient(userAgent: "callpop/test", proxies: .none)

    static func line(_ call: String, _ state: String, number: String = "+441234567890") -> String {
        #"{"call":"\#(call)","state":"\#(state)","direction":"incoming","number":"\#(number)","name":"John Doe"}"#
    }

    /// Runs a source for `settings` until `done` holds for what it delivered.
    static func run(
        _ settings: StreamSourceConfiguration, seconds: Double = 10, until done: @escaping @Sendable ([CallEvent], [SourceReport]) -> Bool
    ) async throws -> (events: [CallEvent], reports: [SourceReport], error: (any Error)?) {
        let recorder = SourceRecorder()
        let task = Task {
            try await HTTPEventStreamSource(configuration: settings, client: client).run(
                emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        }
        _ = await recorder.wait(seconds: seconds) { events, reports in done(events, reports) }
        task.cancel()
        let error: (any Error)? = switch await task.result { case .success: nil; case .failure(let e): e }
        return (await recorder.events, await recorder.reports, error)
    }

    @Test("NDJSON over HTTP, with the bearer token and Accept sent; a bad line is reported with its number")
    func ndjson() async throws {
        let body = [Self.line("c1", "ringing"), "garbage", Self.line("c1", "answered"), Self.line("c1", "ended")].joined(separator: "\n") + "\n"
        let server = try await TestHTTPServer.start(routes: ["/events": [.init(headers: ["Content-Type": "application/x-ndjson"], chunks: [.init(body)], hold: 5)]])
        defer { Task { await server.stop() } }
        let settings = StreamSourceConfiguration(
            url: server.baseURL + "/events", headers: [HeaderField("Authorization", "Bearer bridge-token", isSecret: true)])
        let result = try await Self.run(settings) { events, _ in events.count == 3 }
        #expect(result.events.map(\.state) == [.ringing, .answered, .ended])
        #expect(result.events.first?.remoteName == "John Doe")
        let request = try #require(server.requests().first)
        #expect(request.header("Authorization") == "Bearer bridge-token")
        #expect(request.header("Accept")?.hasPrefix("text/event-stream") == true)
        #expect(request.header("Last-Event-ID") == nil)
        let warning = result.reports.first { $0.level == .warning }?.message ?? ""
        #expect(warning.hasPrefix("stream:\(server.baseURL)/events:2: skipped:"), "\(warning)")
        #expect(!result.reports.map(\.message).joined().contains("bridge-token"))
    }

    @Test("server-sent events: a dropped stream resumes with Last-Event-ID and its events flow on")
    func sseResume() async throws {
        func event(_ id: Int, _ data: String) -> TestHTTPServer.Response.Chunk { .init("id: \(id)\ndata: \(data)\n\n") }
        let server = try await TestHTTPServer.start(routes: ["/events": [
            .init(headers: ["Content-Type": "text/event-stream"], chunks: [.init(": hello\nretry: 100\n\n"), event(1, Self.line("c1", "ringing")), event(2, Self.line("c2", "ringing"))]),
            .init(headers: ["Content-Type": "text/event-stream"], chunks: [event(3, Self.line("c1", "answered")), event(4, Self.line("c1", "ended"))], hold: 5),
        ]])
        defer { Task { await server.stop() } }
        let result = try await Self.run(StreamSourceConfiguration(url: server.baseURL + "/events", reconnectMinimum: .milliseconds(50))) { events, _ in
            events.count == 4
        }
        #expect(result.events.map { "\($0.callID) \($0.state)" } == ["c1 ringing", "c2 ringing", "c1 answered", "c1 ended"])
        let requests = server.requests()
        try #require(requests.count == 2)
        #expect(requests[0].header("Last-Event-ID") == nil && requests[1].header("Last-Event-ID") == "2")
        #expect(result.reports.contains { $0.connection == .disconnected && $0.message.contains("ended; reconnecting") })
    }

    @Test("a refused or absent bridge is retried with backoff until it answers")
    func reconnects() async throws {
        let port = Int(TestProgram.freePort())
        let settings = StreamSourceConfiguration(url: "http://127.0.0.1:\(port)/events", reconnectMinimum: .milliseconds(100), reconnectMaximum: .milliseconds(400))
        let recorder = SourceRecorder()
        let task = Task {
            try await HTTPEventStreamSource(configuration: settings, client: Self.client).run(
                emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        }
        _ = await recorder.wait(seconds: 5) { _, reports in reports.filter { $0.connection == .disconnected }.count >= 3 }
        let server = try await TestHTTPServer.start(routes: ["/events": [.init(status: 503), .init(chunks: [.init(Self.line("c9", "ringing") + "\n")], hold: 5)]], port: port)
        defer { Task { await server.stop() } }
        let arrived = await recorder.wait(seconds: 10) { events, _ in events.count == 1 }
        task.cancel()
        _ = await task.result
        #expect(arrived)
        let messages = await recorder.reports.map(\.message)
        #expect(messages.contains { $0.contains("cannot read the event stream") && $0.contains("reconnecting in") })
        #expect(messages.contains { $0.contains("answered 503") })
    }

    @Test("401 stops the source: the same token would be refused again")
    func refusedCredentials() async throws {
        let server = try await TestHTTPServer.start(routes: ["/events": [.init(status: 401)]])
        defer { Task { await server.stop() } }
        let result = try await Self.run(StreamSourceConfiguration(url: server.baseURL + "/events")) { _, reports in
            reports.contains { $0.connection == .failed }
        }
        let error = try #require(result.error as? SourceError)
        #expect(error.code == .loginRejected)
        #expect(server.requests().count == 1)
    }

    @Test("over a Unix socket")
    func unixSocket() async throws {
        let path = NSTemporaryDirectory() + "callpop-bridge-\(UUID().uuidString.prefix(8)).sock"
        let server = try await TestHTTPServer.start(routes: ["/": [.init(chunks: [.init(Self.line("u1", "ringing") + "\n")], hold: 5)]], unixSocket: path)
        defer { Task { await server.stop() } }
        let result = try await Self.run(StreamSourceConfiguration(url: "http://localhost/", unixSocketPath: path)) { events, _ in events.count == 1 }
        #expect(result.events.map(\.callID) == ["u1"])
        #expect(HTTPEventStreamSource(configuration: StreamSourceConfiguration(url: "http://localhost/", unixSocketPath: path), client: Self.client).name == "stream:unix:" + path)
    }
}
