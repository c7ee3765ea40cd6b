import CallPopCore
import CallPopTestSupport
import Testing

/// The `text/event-stream` parser, byte by byte and at every split.
@Suite("Server-sent events")
struct ServerSentEventParserTests {
    static let stream = Array((
        "\u{FEFF}: keep-alive comment\r\n" + "retry: 2500\r\n" + "id: 41\r\n" + "data: {\"call\":\"a\"}\r\n\r\n"
            + "event: ping\ndata: x\n\n" + "data: first\rdata: second\r\r" + "id\ndata:no-space\n\n" + "data: after-id-reset\n\n"
            + "id: bad\u{0}id\ndata: nul-id\n\n" + "data: unterminated"
    ).utf8)

    static let expected: [ServerSentEventParser.Event] = [
        .init(id: "41", type: "message", data: "{\"call\":\"a\"}"),
        .init(id: "41", type: "ping", data: "x"),
        .init(id: "41", type: "message", data: "first\nsecond"),
        .init(id: "", type: "message", data: "no-space"),
        .init(id: "", type: "message", data: "after-id-reset"),
        .init(id: "", type: "message", data: "nul-id"),
    ]

    @Test("all at once, one byte at a time, and split at every offset give the same events")
    func splits() {
        var whole = ServerSentEventParser()
        #expect(whole.feed(Self.stream) == Self.expected)
        #expect(whole.retryMilliseconds == 2500)
        #expect(whole.lastEventID == "")
        var bytewise = ServerSentEventParser()
        #expect(Self.stream.flatMap { bytewise.feed([$0]) } == Self.expected)
        for cut in 0...Self.stream.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(Self.stream[..<cut]) + parser.feed(Self.stream[cut...])
            #expect(events == Self.expected, "split at \(cut)")
        }
    }

    @Test("resuming: the last id carries over to the next connection")
    func resume() {
        var parser = ServerSentEventParser(lastEventID: "7")
        #expect(parser.feed(Array("data: a\n\n".utf8)) == [.init(id: "7", type: "message", data: "a")])
        _ = parser.feed(Array("id: 8\n\n".utf8))  // an id without data: no event, but the position moves
        #expect(parser.lastEventID == "8")
    }

    @Test("overlong lines are skipped and counted; garbage never crashes")
    func bounds() {
        var parser = ServerSentEventParser()
        let long = Array("data: ".utf8) + Array(repeating: UInt8(ascii: "x"), count: ServerSentEventParser.maximumLineLength + 10) + [0x0A]
        #expect(parser.feed(long + Array("data: ok\n\n".utf8)) == [.init(id: nil, type: "message", data: "ok")])
        #expect(parser.skippedLines == 1)
        var generator = SplitMix64(seed: 0x55E)
        let alphabet = Array("data:id:event:retry: \r\n\0xyz{}".utf8)
        for _ in 0..<500 {
            var fuzzed = ServerSentEventParser()
            let bytes = ByteMutator.random(count: Int.random(in: 0...400, using: &generator), using: &generator)
                .map { alphabet[Int($0) % alphabet.count] }
            for event in fuzzed.feed(bytes) { #expect(event.data.utf8.count <= ServerSentEventParser.maximumEventBytes) }
        }
    }
}
