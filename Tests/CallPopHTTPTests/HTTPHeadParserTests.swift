import CallPopCore
@testable import CallPopHTTP
import CallPopTestSupport
import Testing

/// The response-header collector, line by line without I/O.
@Suite struct HTTPHeadParserTests {
    static func run(_ lines: [String]) -> HTTPHeadParser.Step? {
        var parser = HTTPHeadParser()
        var last: HTTPHeadParser.Step?
        for line in lines {
            last = parser.feed(Array(line.utf8))
            if case .more = last! { continue }
            return last
        }
        return last
    }

    @Test func finalResponseAfterInterimOnes() {
        let step = Self.run([
            "HTTP/1.1 100 Continue\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "Content-Type: text/event-stream\r\n", "ETag:  \"v1\" \r\n",
            "X-Folded: first\r\n", "\t second\r\n", "\r\n",
        ])
        #expect(step == .complete(status: 200, headers: [
            HTTPHeader("Content-Type", "text/event-stream"), HTTPHeader("ETag", "\"v1\""), HTTPHeader("X-Folded", "first second"),
        ]))
    }

    @Test func http2StatusLineAndBareLineFeeds() {
        #expect(Self.run(["HTTP/2 304\n", "etag: x\n", "\n"]) == .complete(status: 304, headers: [HTTPHeader("etag", "x")]))
    }

    @Test func refusals() {
        for lines in [
            ["garbage\r\n"], ["\r\n"], ["HTTP/1.1 2000 OK\r\n"], ["HTTP/1.1 20 OK\r\n"], ["HTTP/1.1 200 OK\r\n", "no colon\r\n"],
            ["HTTP/1.1 200 OK\r\n", ": empty name\r\n"], ["HTTP/1.1 200 OK\r\n", " fold first\r\n"],
            ["HTTP/1.1 200 OK\r\n", "Bad Name: x\r\n"],
        ] {
            guard case .refused? = Self.run(lines) else {
                Issue.record("accepted \(lines)")
                continue
            }
        }
    }

    @Test func boundedInCountAndSize() {
        let many = ["HTTP/1.1 200 OK\r\n"] + (0...HTTPHeadParser.maximumCount).map { "X-\($0): y\r\n" }
        guard case .refused? = Self.run(many) else { Issue.record("no count limit"); return }
        let huge = ["HTTP/1.1 200 OK\r\n", "X: " + String(repeating: "y", count: HTTPHeadParser.maximumBytes) + "\r\n"]
        guard case .refused? = Self.run(huge) else { Issue.record("no size limit"); return }
    }

    @Test("seeded garbage never crashes and never yields a status outside 100…599")
    func garbage() {
        var generator = SplitMix64(seed: 0x4854_5450)
        let alphabet = Array("HTTP/1.2 0123456789:\r\n \tOKabcXY".utf8) + [0x00, 0xFF, 0x80]
        for _ in 0..<2000 {
            var parser = HTTPHeadParser()
            for _ in 0..<Int.random(in: 1...12, using: &generator) {
                let line = ByteMutator.random(count: Int.random(in: 0...40, using: &generator), using: &generator)
                    .map { alphabet[Int($0) % alphabet.count] }
                if case .complete(let status, _) = parser.feed(line) {
                    #expect((200...599).contains(status))
                    break
                }
            }
        }
    }
}
