import CallPopCallbacks
import CallPopCore
import CallPopHTTP
import CallPopPlatform
import CallPopTestSupport
import Foundation
import Synchronization
import Testing

/// Callback delivery against a real HTTP server on 127.0.0.1: what is sent, what is retried
/// and when, what survives a restart in the spool.
@Suite(.timeLimit(.minutes(1))) struct CallbackDeliveryTests {
    static let client = HTTPClient(userAgent: "callpop/test", proxies: .none)
    static let fast = CallbackRetryPolicy(minimum: .milliseconds(50), maximum: .milliseconds(200))
    static let secret = HeaderField("Authorization", "Bearer s3cret", isSecret: true)

    /// Results as they are reported.
    final class Results: Sendable {
        private let seen = Mutex<[CallbackResult]>([])
        var all: [CallbackResult] { seen.withLock { $0 } }
        func add(_ result: CallbackResult) { seen.withLock { $0.append(result) } }
        func wait(seconds: Double = 10, until condition: ([CallbackResult]) -> Bool) async -> [CallbackResult] {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while !condition(all), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            return all
        }
    }

    static func request(
        _ base: String, path: String = "/calls", event: CallbackEventKind = .new, call: String = "c1", created: Int64 = WallClock.now,
        timeout: Duration = .seconds(5), maximumAge: Duration = .seconds(3600), rule: String = "crm"
    ) -> CallbackRequest {
        let key = CallbackRequest.idempotencyKey(rule: rule, user: "201", call: call, event: event, change: "")
        return CallbackRequest(
            ruleID: rule, ruleName: "CRM", callID: call, event: event, method: "POST", url: base + path + "?cnum=%2B441234567890",
            headers: [HeaderField("Content-Type", "application/json"), HeaderField("Idempotency-Key", key), secret],
            body: #"{"event":"\#(event.rawValue)"}"#, idempotencyKey: key, createdAt: created, timeout: timeout,
            maximumAge: maximumAge, caFile: nil)
    }

    static func delivery(spool: CallbackSpool? = nil, policy: CallbackRetryPolicy = fast, results: Results) -> CallbackDelivery {
        CallbackDelivery(client: client, spool: spool, policy: policy, secrets: { _ in [secret] }, report: { results.add($0) })
    }

    static func spoolDirectory() -> String {
        NSTemporaryDirectory() + "callpop-spool-\(UUID().uuidString.prefix(8))/callbacks"
    }

    @Test("the exact request arrives once, and the result says delivered after one attempt")
    func delivered() async throws {
        let server = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 204)]])
        defer { Task { await server.stop() } }
        let results = Results()
        let delivery = Self.delivery(results: results)
        let request = Self.request(server.baseURL)
        await delivery.submit([request])
        await delivery.waitUntilIdle()
        let received = server.requests()
        try #require(received.count == 1)
        #expect(received[0].method == "POST" && received[0].path == "/calls" && received[0].query == "cnum=%2B441234567890")
        #expect(received[0].body == #"{"event":"new"}"#)
        #expect(received[0].header("Idempotency-Key") == request.idempotencyKey)
        #expect(received[0].header("Authorization") == "Bearer s3cret")
        #expect(received[0].header("Content-Type") == "application/json")
        #expect(received[0].header("User-Agent") == "callpop/test")
        #expect(results.all.map(\.outcome) == [.delivered])
        #expect(results.all.first?.status == 204 && results.all.first?.attempts == 1)
        #expect(!results.all[0].json.contains("s3cret"))
    }

    @Test("500 then success: retried with the same Idempotency-Key")
    func retriedAfter500() async throws {
        let server = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 500), .init(status: 503), .init(status: 200)]])
        defer { Task { await server.stop() } }
        let results = Results()
        let delivery = Self.delivery(results: results)
        await delivery.submit([Self.request(server.baseURL)])
        await delivery.waitUntilIdle()
        let keys = server.requests().map { $0.header("Idempotency-Key") }
        #expect(keys.count == 3 && Set(keys).count == 1)
        #expect(results.all.map(\.outcome) == [.retrying, .retrying, .delivered])
        #expect(results.all.map(\.status) == [500, 503, 200] && results.all.last?.attempts == 3)
    }

    @Test("404 is not retried")
    func notRetried() async throws {
        let server = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 404), .init(status: 200)]])
        defer { Task { await server.stop() } }
        let results = Results()
        let delivery = Self.delivery(results: results)
        await delivery.submit([Self.request(server.baseURL)])
        await delivery.waitUntilIdle()
        try await Task.sleep(for: .milliseconds(400))  // longer than any retry delay of this policy
        #expect(server.requests().count == 1)
        #expect(results.all.map(\.outcome) == [.rejected] && results.all.first?.status == 404)
    }

    @Test("429 with Retry-After: the next attempt waits that long (up to the policy's maximum)")
    func retryAfter() async throws {
        let server = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 429, headers: ["Retry-After": "1"]), .init(status: 200)]])
        defer { Task { await server.stop() } }
        let results = Results()
        let delivery = Self.delivery(policy: CallbackRetryPolicy(minimum: .milliseconds(50), maximum: .seconds(5)), results: results)
        await delivery.submit([Self.request(server.baseURL)])
        await delivery.waitUntilIdle()
        let times = server.requests().map(\.time)
        try #require(times.count == 2)
        #expect(times[1] - times[0] >= 0.95, "retried after \(times[1] - times[0]) s")
        #expect(results.all.first?.retryIn == .seconds(1))
    }

    @Test("a server slower than the timeout: the attempt times out and is retried")
    func timeoutRetried() async throws {
        let server = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 200, delay: 2), .init(status: 200)]])
        defer { Task { await server.stop() } }
        let results = Results()
        let delivery = Self.delivery(results: results)
        let started = ContinuousClock.now
        await delivery.submit([Self.request(server.baseURL, timeout: .milliseconds(300))])
        await delivery.waitUntilIdle()
        #expect(results.all.map(\.outcome) == [.retrying, .delivered])
        #expect(results.all.first?.detail?.isEmpty == false)
        #expect(ContinuousClock.now - started < .seconds(2), "the slow answer was waited for")
    }

    @Test("refused connections: spooled (mode 600, no secret), sent after a restart with the secret added back")
    func spoolAcrossRestart() async throws {
        let port = Int(TestProgram.freePort())
        let directory = Self.spoolDirectory()
        let results = Results()
        let first = Self.delivery(spool: try CallbackSpool(directory: directory), results: results)
        let requests = [Self.request("http://127.0.0.1:\(port)", event: .new), Self.request("http://127.0.0.1:\(port)", event: .ended)]
        await first.submit(requests)
        _ = await results.wait { $0.filter { $0.outcome == .retrying }.count >= 2 }
        await first.stop()  // the agent is gone
        let files = PrivateFiles.names(in: directory)
        #expect(files.sorted() == requests.map { $0.idempotencyKey + ".json" }.sorted())
        for file in files {
            #expect(PrivateFiles.mode(directory + "/" + file) == 0o600)
            let text = String(decoding: try #require(try PrivateFiles.read(directory + "/" + file, limit: 1 << 20)), as: UTF8.self)
            #expect(!text.contains("s3cret") && text.contains("\"secretHeaders\":[\"Authorization\"]"))
        }
        #expect(PrivateFiles.mode(directory) == 0o700)

        let server = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 200)]], port: port)
        defer { Task { await server.stop() } }
        let after = Results()
        let second = Self.delivery(spool: try CallbackSpool(directory: directory), results: after)
        #expect(await second.resume() == 2)
        await second.waitUntilIdle()
        let received = server.requests()
        #expect(received.map { $0.header("Idempotency-Key") } == requests.map(\.idempotencyKey), "not in order")
        #expect(received.allSatisfy { $0.header("Authorization") == "Bearer s3cret" })
        #expect(after.all.map(\.outcome) == [.delivered, .delivered])
        #expect(PrivateFiles.names(in: directory).isEmpty)
    }

    @Test("older than max_age: dropped and reported, never sent; damaged spool files are removed")
    func dropped() async throws {
        let server = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 200)]])
        defer { Task { await server.stop() } }
        let directory = Self.spoolDirectory()
        let spool = try CallbackSpool(directory: directory)
        try spool.save(Self.request(server.baseURL, created: WallClock.now - 7200, maximumAge: .seconds(3600)))
        try PrivateFiles.write(Array("{garbage".utf8), to: directory + "/" + String(repeating: "0", count: 64) + ".json")
        let results = Results()
        let delivery = Self.delivery(spool: spool, results: results)
        #expect(await delivery.resume() == 1)
        await delivery.waitUntilIdle()
        #expect(server.requests().isEmpty)
        #expect(results.all.map(\.outcome) == [.dropped, .dropped])
        #expect(results.all[0].detail?.contains("damaged") == true)
        #expect(results.all[1].detail == "older than its max_age of 3600 s")
        #expect(PrivateFiles.names(in: directory).isEmpty)
    }

    @Test("a rule's requests stay in order while one is retried; other rules are not held up")
    func ordering() async throws {
        let server = try await TestHTTPServer.start(routes: [
            "/calls": [.init(status: 503), .init(status: 503), .init(status: 200)],
            "/other": [.init(status: 200)],
        ])
        defer { Task { await server.stop() } }
        let results = Results()
        let delivery = Self.delivery(results: results)
        let new = Self.request(server.baseURL, event: .new)
        let ended = Self.request(server.baseURL, event: .ended)
        let other = Self.request(server.baseURL, path: "/other", rule: "other")
        await delivery.submit([new, ended, other])
        await delivery.waitUntilIdle()
        let calls = server.requests().filter { $0.path == "/calls" }.map { $0.header("Idempotency-Key") }
        #expect(calls == [new.idempotencyKey, new.idempotencyKey, new.idempotencyKey, ended.idempotencyKey])
        let order = server.requests().map(\.path)
        #expect(order.firstIndex(of: "/other")! < order.lastIndex(of: "/calls")!, "the other rule waited: \(order)")
    }
}
