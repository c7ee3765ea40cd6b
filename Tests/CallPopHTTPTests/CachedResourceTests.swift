import CallPopCore
import CallPopHTTP
import CallPopPlatform
import CallPopTestSupport
import Foundation
import Testing

/// Conditional fetches with a copy kept on disk, against a real server.
@Suite(.timeLimit(.minutes(1))) struct CachedResourceTests {
    static let client = HTTPClient(userAgent: "callpop/test", proxies: .none)

    @Test("Last-Modified comes back as If-Modified-Since; 304 keeps the copy; failures say why")
    func lastModified() async throws {
        let date = "Fri, 15 Jan 2027 08:00:00 GMT"
        let server = try await TestHTTPServer.start(routes: ["/doc": [
            .init(body: "version 1", lastModified: date), .init(body: "version 1", lastModified: date), .init(status: 500),
        ]])
        defer { Task { await server.stop() } }
        let path = NSTemporaryDirectory() + "callpop-cache-\(UUID().uuidString.prefix(8))/doc.txt"
        let resource = CachedResource(request: HTTPRequest(url: server.baseURL + "/doc", headers: [HTTPHeader("X-Token", "t", isSecret: true)]), path: path)
        #expect(resource.cached() == nil)
        guard case .new(let copy) = await resource.fetch(with: Self.client, current: nil) else { Issue.record("no body"); return }
        #expect(copy.body == Array("version 1".utf8) && copy.lastModified == date && copy.etag == nil)
        try resource.store(copy)
        #expect(resource.cached() == copy)
        #expect(PrivateFiles.mode(path) == 0o600 && PrivateFiles.mode(path + ".meta") == 0o600)
        guard case .notModified = await resource.fetch(with: Self.client, current: copy) else { Issue.record("not 304"); return }
        guard case .failed(let why) = await resource.fetch(with: Self.client, current: copy) else { Issue.record("500 accepted"); return }
        #expect(why == "127.0.0.1:\(server.port) answered 500")
        let requests = server.requests()
        #expect(requests.map { $0.header("If-Modified-Since") } == [nil, date, date])
        #expect(requests.allSatisfy { $0.header("X-Token") == "t" })
        #expect(!(String(decoding: try #require(try PrivateFiles.read(path + ".meta", limit: 4096)), as: UTF8.self)).contains("X-Token"))
    }
}
