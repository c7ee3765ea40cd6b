import CallPopHTTP
import CallPopLookup
@testable import CallPopRuntime
import CallPopTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// The periodic refresh of a fetched document against a real server: conditional requests,
/// a broken answer never replacing the good copy, the cache following what is in force.
@Suite(.timeLimit(.minutes(1))) struct RefreshedDocumentTests {
    final class Applied: Sendable {
        let values = Mutex<[[String]]>([])
        var all: [[String]] { values.withLock { $0 } }
    }

    @Test("good, not modified, broken, good again: two values applied, validators of the copy in force sent")
    func refreshes() async throws {
        let server = try await TestHTTPServer.start(routes: ["/dir": [
            .init(body: #"["201", "202"]"#, etag: "\"v1\""),
            .init(body: #"["201", "202"]"#, etag: "\"v1\""),
            .init(body: "not json", etag: "\"v2\""),
            .init(body: #"{"result": {"records": [{"extension": "203"}]}}"#, etag: "\"v3\""),
        ]])
        defer { Task { await server.stop() } }
        let cache = NSTemporaryDirectory() + "callpop-refresh-\(UUID().uuidString.prefix(8))/colleagues.json"
        let applied = Applied()
        let document = RefreshedDocument<[String]>(
            name: "colleague directory",
            resource: CachedResource(request: HTTPRequest(url: server.baseURL + "/dir"), path: cache),
            refresh: .milliseconds(100),
            parse: { body in
                do throws(LookupError) { return .success(try ColleagueDirectoryResponse.numbers(in: body)) } catch {
                    return .failure(.init(message: error.message))
                }
            },
            apply: { numbers in applied.values.withLock { $0.append(numbers) } })
        #expect(document.cachedValue() == nil)
        let client = HTTPClient(userAgent: "callpop/test", proxies: .none)
        let task = Task { await document.run(client: client, logger: Logger(label: "test"), current: nil) }
        let deadline = ContinuousClock.now + .seconds(10)
        while applied.all.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        _ = await task.value
        #expect(applied.all == [["201", "202"], ["203"]])
        let validators = server.requests().prefix(4).map { $0.header("If-None-Match") }
        #expect(validators == [nil, "\"v1\"", "\"v1\"", "\"v1\""], "a broken answer's ETag was kept")
        #expect(document.cachedValue()?.value == ["203"])
        #expect(document.cachedValue()?.copy.etag == "\"v3\"")
        // Another URL's cache is not this document's.
        let other = CachedResource(request: HTTPRequest(url: server.baseURL + "/elsewhere"), path: cache)
        #expect(other.cached() == nil)
    }
}
