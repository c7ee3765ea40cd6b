import CallPopCore
@testable import CallPopHTTP
import CallPopTestSupport
import Foundation
import Testing

/// `HTTPClient` against real servers on 127.0.0.1 (`Tests/Tools/http_server.py`): the exact
/// request on the wire, statuses, failures, limits, TLS, Unix sockets, proxies, streaming.
@Suite(.timeLimit(.minutes(1))) struct HTTPClientTests {
    static let client = HTTPClient(userAgent: "callpop/test", proxies: .none)

    @Test("GET: the exact request on the wire, and the whole response")
    func getRequest() async throws {
        let server = try await TestHTTPServer.start(routes: ["/calls": [.init(status: 200, headers: ["X-Answer": "yes"], body: "hello")]])
        defer { Task { await server.stop() } }
        let response = try await Self.client.send(HTTPRequest(
            url: server.baseURL + "/calls?cname=John%20Doe&cnum=%2B441234567890",
            headers: [HTTPHeader("X-Tenant", "acme"), HTTPHeader("Authorization", "Bearer s3cret", isSecret: true)]))
        #expect(response.status == 200)
        #expect(response.body == Array("hello".utf8))
        #expect(response.header("x-answer") == "yes")
        let requests = server.requests()
        try #require(requests.count == 1)
        #expect(requests[0].method == "GET")
        #expect(requests[0].path == "/calls")
        #expect(requests[0].query == "cname=John%20Doe&cnum=%2B441234567890")
        #expect(requests[0].header("User-Agent") == "callpop/test")
        #expect(requests[0].header("X-Tenant") == "acme")
        #expect(requests[0].header("Authorization") == "Bearer s3cret")
        #expect(requests[0].header("Expect") == nil)
        #expect(requests[0].body == "")
    }

    @Test("POST: the body and its type arrive byte for byte")
    func postRequest() async throws {
        let server = try await TestHTTPServer.start(routes: ["/log": [.init(status: 201)]])
        defer { Task { await server.stop() } }
        let body = #"{"number":"+441234567890","name":"Zoë \"Z\" Ünal"}"#
        let response = try await Self.client.send(HTTPRequest(
            method: "POST", url: server.baseURL + "/log", headers: [HTTPHeader("Content-Type", "application/json")],
            body: Array(body.utf8)))
        #expect(response.status == 201)
        let request = try #require(server.requests().first)
        #expect(request.method == "POST")
        #expect(request.body == body)
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("Content-Length") == String(body.utf8.count))
    }

    @Test("4xx and 5xx are responses, not errors")
    func statusesAreResponses() async throws {
        let server = try await TestHTTPServer.start(routes: ["/x": [.init(status: 404, body: "gone"), .init(status: 503, headers: ["Retry-After": "7"])]])
        defer { Task { await server.stop() } }
        let first = try await Self.client.send(HTTPRequest(url: server.baseURL + "/x"))
        let second = try await Self.client.send(HTTPRequest(url: server.baseURL + "/x"))
        #expect(first.status == 404 && first.body == Array("gone".utf8))
        #expect(second.status == 503 && second.header("Retry-After") == "7")
    }

    @Test("a refused connection fails fast with cannotConnect")
    func refused() async throws {
        let port = Int(TestProgram.freePort())
        let started = ContinuousClock.now
        let error = await #expect(throws: HTTPError.self) {
            try await Self.client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/x", timeout: .seconds(5)))
        }
        #expect(error?.code == .cannotConnect)
        #expect(error?.isRetryable == true)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("a server slower than the timeout: timedOut, on time")
    func timeout() async throws {
        let server = try await TestHTTPServer.start(routes: ["/slow": [.init(delay: 3)]])
        defer { Task { await server.stop() } }
        let started = ContinuousClock.now
        let error = await #expect(throws: HTTPError.self) {
            try await Self.client.send(HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(400)))
        }
        #expect(error?.code == .timedOut)
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(380) && took < .seconds(2), "took \(took)")
    }

    @Test("a connection closed without an answer is a broken connection")
    func dropped() async throws {
        let server = try await TestHTTPServer.start(routes: ["/drop": [.init(drop: true)]])
        defer { Task { await server.stop() } }
        let error = await #expect(throws: HTTPError.self) { try await Self.client.send(HTTPRequest(url: server.baseURL + "/drop")) }
        #expect(error?.code == .brokenConnection)
    }

    @Test("a response over the size limit is refused, announced or not")
    func tooLarge() async throws {
        let big = String(repeating: "x", count: 5000)
        let server = try await TestHTTPServer.start(routes: [
            "/announced": [.init(body: big)],
            "/streamed": [.init(chunks: [.init(big)])],
        ])
        defer { Task { await server.stop() } }
        for path in ["/announced", "/streamed"] {
            let error = await #expect(throws: HTTPError.self) {
                try await Self.client.send(HTTPRequest(url: server.baseURL + path, maximumResponseBytes: 4096))
            }
            #expect(error?.code == .tooLarge, "\(path)")
            #expect(error?.isRetryable == false)
        }
        let fits = try await Self.client.send(HTTPRequest(url: server.baseURL + "/announced", maximumResponseBytes: 5000))
        #expect(fits.body.count == 5000)
    }

    @Test("TLS: a self-signed CA is trusted through caFile and refused without it")
    func tls() async throws {
        let files = try await TestHTTPServer.makeCertificates(in: NSTemporaryDirectory() + "callpop-tls-\(UUID().uuidString.prefix(8))")
        let server = try await TestHTTPServer.start(routes: ["/secure": [.init(body: "trusted")]], tls: files)
        defer { Task { await server.stop() } }
        #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))
        let response = try await Self.client.send(HTTPRequest(url: server.baseURL + "/secure", caFile: files.caFile))
        #expect(response.body == Array("trusted".utf8))
        let error = await #expect(throws: HTTPError.self) { try await Self.client.send(HTTPRequest(url: server.baseURL + "/secure")) }
        #expect(error?.code == .tls)
        // The right CA but the wrong name: localhost is in the certificate, 127.0.0.2 is not.
        let wrongName = await #expect(throws: HTTPError.self) {
            try await Self.client.send(HTTPRequest(url: "https://127.0.0.2:\(server.port)/secure", caFile: files.caFile))
        }
        #expect(wrongName?.code == .tls || wrongName?.code == .cannotConnect)
        #expect(server.requests().count == 1, "a refused handshake must not reach the server's HTTP layer")
    }

    @Test("HTTP over a Unix socket, never through a proxy")
    func unixSocket() async throws {
        let path = NSTemporaryDirectory() + "callpop-\(UUID().uuidString.prefix(8)).sock"
        let server = try await TestHTTPServer.start(routes: ["/events": [.init(body: "over unix")]], unixSocket: path)
        defer { Task { await server.stop() } }
        let proxied = HTTPClient(userAgent: "callpop/test", proxies: ProxyEnvironment(http: "http://127.0.0.1:9", https: nil, noProxy: nil))
        let response = try await proxied.send(HTTPRequest(url: "http://localhost/events", unixSocketPath: path))
        #expect(response.body == Array("over unix".utf8))
        #expect(server.requests().first?.header("Host") == "localhost")
    }

    @Test("proxies from the environment: http_proxy is used, no_proxy is honoured, HTTP_PROXY is not read")
    func proxies() async throws {
        let proxy = try await TestHTTPServer.start(routes: [:], default: .init(status: 200, body: "via proxy"))
        defer { Task { await proxy.stop() } }
        let origin = try await TestHTTPServer.start(routes: ["/direct": [.init(body: "direct")]])
        defer { Task { await origin.stop() } }
        let environment = ProxyEnvironment(environment: ["http_proxy": proxy.baseURL, "no_proxy": "localhost"])
        #expect(ProxyEnvironment(environment: ["HTTP_PROXY": proxy.baseURL]).http == nil)
        #expect(environment.proxy(for: "https://x.example") == "")
        let client = HTTPClient(userAgent: "callpop/test", proxies: environment)
        // 192.0.2.1 (TEST-NET-1) is never reached: the proxy answers for it.
        let viaProxy = try await client.send(HTTPRequest(url: "http://192.0.2.1:8080/crm?x=1"))
        #expect(viaProxy.body == Array("via proxy".utf8))
        #expect(proxy.requests().first?.target == "http://192.0.2.1:8080/crm?x=1")
        let direct = try await client.send(HTTPRequest(url: "http://localhost:\(origin.port)/direct"))
        #expect(direct.body == Array("direct".utf8))
        #expect(proxy.requests().count == 1)
    }

    @Test("many requests at once share the one thread and all complete")
    func concurrent() async throws {
        let server = try await TestHTTPServer.start(routes: [:], default: .init(status: 200, body: "ok", delay: 0.2))
        defer { Task { await server.stop() } }
        let started = ContinuousClock.now
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask { try await Self.client.send(HTTPRequest(url: server.baseURL + "/n\(index)")).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 20))
        #expect(ContinuousClock.now - started < .seconds(3), "the requests ran one after another")
    }

    @Test("cancelling the caller abandons the transfer at once")
    func cancellation() async throws {
        let server = try await TestHTTPServer.start(routes: ["/slow": [.init(delay: 5)]])
        defer { Task { await server.stop() } }
        let task = Task { try await Self.client.send(HTTPRequest(url: server.baseURL + "/slow", timeout: .seconds(30))) }
        _ = await server.waitForRequests(1)
        let started = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(throws: HTTPError.self) { try result.get() }
    }

    @Test("invalid requests are refused before anything is sent")
    func invalidRequests() async throws {
        for request in [
            HTTPRequest(url: "ftp://127.0.0.1/x"),
            HTTPRequest(url: "http://127.0.0.1/a b"),
            HTTPRequest(url: "http://127.0.0.1/", headers: [HTTPHeader("X-Evil", "a\r\nInjected: yes")]),
            HTTPRequest(url: "http://127.0.0.1/", headers: [HTTPHeader("Bad Name", "x")]),
            HTTPRequest(method: "get", url: "http://127.0.0.1/"),
        ] {
            let error = await #expect(throws: HTTPError.self) { try await Self.client.send(request) }
            #expect(error?.code == .invalidRequest)
        }
    }

    @Test("a stream is paused while its reader is behind and resumed, losing nothing")
    func streamBackpressure() async throws {
        let piece = String(repeating: "0123456789abcdef", count: 4096)  // 64 KiB
        let server = try await TestHTTPServer.start(routes: ["/big": [.init(headers: ["Content-Type": "application/x-ndjson"], chunks: [.init(piece, repeat: 96)])]])
        defer { Task { await server.stop() } }
        let stream = try await Self.client.stream(HTTPRequest(url: server.baseURL + "/big"), bufferedPieces: 2)
        #expect(stream.status == 200)
        #expect(stream.headers.value(of: "content-type") == "application/x-ndjson")
        var total = 0
        var first = true
        var intact = true
        var pattern = Array("0123456789abcdef".utf8)[...]
        while let bytes = try await stream.next() {
            if first {
                first = false
                try await Task.sleep(for: .milliseconds(500))  // a slow reader
            }
            for byte in bytes {
                if pattern.isEmpty { pattern = Array("0123456789abcdef".utf8)[...] }
                if byte != pattern.removeFirst() { intact = false }
            }
            total += bytes.count
        }
        #expect(total == 96 * 65536)
        #expect(intact, "bytes were lost or reordered across a pause")
        #expect(stream.pausedCount > 0, "the transfer never paused for the slow reader")
    }

    @Test("a stream that breaks reports it; a stream that ends cleanly returns nil")
    func streamEnding() async throws {
        let server = try await TestHTTPServer.start(routes: ["/events": [.init(chunks: [.init("a\n"), .init("b\n", delay: 0.1)])]])
        defer { Task { await server.stop() } }
        let stream = try await Self.client.stream(HTTPRequest(url: server.baseURL + "/events"))
        var text = ""
        while let bytes = try await stream.next() { text += String(decoding: bytes, as: UTF8.self) }
        #expect(text == "a\nb\n")
        let port = Int(TestProgram.freePort())
        let error = await #expect(throws: HTTPError.self) { try await Self.client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/")) }
        #expect(error?.code == .cannotConnect)
    }
}
