import CallPopCore
import CallPopTestSupport
import Testing

@Suite("NDJSON event lines")
struct EventLineDecoderTests {
    func decode(_ text: String) throws -> CallEvent { try EventLineDecoder.decode(Array(text.utf8)) }

    /// The decoder's message for `bytes`, or nil when they decode.
    func failure(_ bytes: [UInt8]) -> String? {
        do {
            _ = try EventLineDecoder.decode(bytes)
            return nil
        } catch {
            return error.description
        }
    }

    func failure(_ text: String) -> String? { failure(Array(text.utf8)) }

    @Test func theDocumentedExample() throws {
        let line = #"{"call":"1700000000.12","state":"ringing","direction":"incoming","number":"+442071234567","name":"John Doe","called":"5550100","colleague":false,"tags":["vip"],"channel":"PJSIP/201-00000001"}"#
        #expect(try decode(line) == CallEvent(
            callID: "1700000000.12", state: .ringing, direction: .incoming, remoteNumber: "+442071234567",
            remoteName: "John Doe", calledNumber: "5550100", isColleague: false, tags: ["vip"], channel: "PJSIP/201-00000001"))
    }

    @Test func minimalLineGetsDefaults() throws {
        #expect(try decode(#"{"call":"x","state":"ended","direction":"outgoing"}"#)
            == CallEvent(callID: "x", state: .ended, direction: .outgoing))
    }

    @Test func optionalFields() throws {
        let e = try decode(#" { "direction" : "incoming", "state":"ended", "call":"7", "user_number":"305", "user_name":"Bob", "answered_elsewhere":true, "colleague":null, "extra":{"ignored":[1,2]} } "#)
        #expect(e == CallEvent(callID: "7", state: .ended, direction: .incoming, userNumber: "305", userName: "Bob", answeredElsewhere: true))
    }

    @Test func unicodeAndEscapesSurvive() throws {
        let e = try decode(#"{"call":"1","state":"ringing","direction":"incoming","name":"Zo\u00eb \u00c5ngstr\u00f6m \ud83d\udca5 \"q\""}"#)
        #expect(e.remoteName == "Zo\u{EB} \u{C5}ngstr\u{F6}m \u{1F4A5} \"q\"")
    }

    @Test("missing required fields are named", arguments: [
        (#"{"state":"ringing","direction":"incoming"}"#, #"missing "call""#),
        (#"{"call":"1","direction":"incoming"}"#, #"missing "state""#),
        (#"{"call":"1","state":"ringing"}"#, #"missing "direction""#),
    ])
    func missing(_ line: String, _ message: String) {
        #expect(failure(line) == message)
    }

    @Test("wrong types are named", arguments: [
        (#"{"call":1,"state":"ringing","direction":"incoming"}"#, #"wrong type for "call""#),
        (#"{"call":"1","state":"ringing","direction":"incoming","colleague":"yes"}"#, #"wrong type for "colleague""#),
        (#"{"call":"1","state":"ringing","direction":"incoming","number":2071234567}"#, #"wrong type for "number""#),
        (#"{"call":"1","state":"ringing","direction":"incoming","tags":"vip"}"#, #"wrong type for "tags""#),
        (#"{"call":"1","state":true,"direction":"incoming"}"#, #"wrong type for "state""#),
    ])
    func wrongTypes(_ line: String, _ message: String) {
        #expect(failure(line) == message)
    }

    @Test func badStateAndDirection() {
        #expect(failure(#"{"call":"1","state":"busy","direction":"incoming"}"#)
            == #""state" must be ringing, answered or ended, not "busy""#)
        #expect(failure(#"{"call":"1","state":"Ringing","direction":"incoming"}"#)
            == #""state" must be ringing, answered or ended, not "Ringing""#)
        #expect(failure(#"{"call":"1","state":"ringing","direction":"inbound"}"#)
            == #""direction" must be incoming or outgoing, not "inbound""#)
        // The echoed value is cleaned: a line cannot inject control characters into the log.
        #expect(failure(#"{"call":"1","state":"x\u001b[2J\ny","direction":"incoming"}"#)
            == #""state" must be ringing, answered or ended, not "x[2Jy""#)
        #expect(failure(#"{"call":"","state":"ringing","direction":"incoming"}"#) == #""call" is empty"#)
    }

    @Test("garbage is not an event", arguments: [
        "", " ", "not json", "[1,2]", "null", "42", "\"text\"", "true", "{", "{\"call\":", "{}}", "{\"call\":\"1\",\"state\":\"ringing\",\"direction\":\"incoming\"",
        "{'call':'1'}",
    ])
    func garbage(_ line: String) {
        #expect(failure(line) == "not a JSON object")
    }

    @Test func anEmptyObjectLacksTheCall() {
        #expect(failure("{}") == #"missing "call""#)
    }

    @Test func garbageBytesAreNotAnEvent() {
        #expect(failure([0xFF, 0xFE, 0x00, 0x7B]) == "not a JSON object")
        #expect(failure([0x00]) == "not a JSON object")
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        let valid = Array(#"{"call":"1","state":"ringing","direction":"incoming","number":"+44","tags":["a"]}"#.utf8)
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                // A valid line with a few bytes flipped: near-misses reach deeper into the decoder.
                bytes = valid
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            do {
                let e = try EventLineDecoder.decode(bytes)
                #expect(!e.callID.isEmpty)
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test func overlongLinesAreRefusedUnread() throws {
        #expect(EventLineDecoder.maximumLineLength == 65_536)
        let head = #"{"call":"1","state":"ringing","direction":"incoming","name":""#
        let tail = #""}"#
        let fits = head + String(repeating: "a", count: 65_536 - head.utf8.count - tail.utf8.count) + tail
        #expect(fits.utf8.count == 65_536)
        #expect(try decode(fits).remoteName.count == 65_536 - head.utf8.count - tail.utf8.count)
        #expect(failure(fits + " ") == "line longer than 65536 bytes")
        #expect(failure([UInt8](repeating: 0x7B, count: 1_000_000)) == "line longer than 65536 bytes")
    }

    @Test func windowsProducersLineEndingsAndByteOrderMark() throws {
        let expected = CallEvent(callID: "1", state: .ringing, direction: .incoming)
        #expect(try decode("{\"call\":\"1\",\"state\":\"ringing\",\"direction\":\"incoming\"}\r") == expected)
        #expect(try decode("\u{FEFF}{\"call\":\"1\",\"state\":\"ringing\",\"direction\":\"incoming\"}") == expected)
    }

    @Test func invalidUTF8InAValueIsReplaced() throws {
        // A Latin-1 name ("Zo\xEB") from an old PBX: the call still pops, with U+FFFD for the bad byte.
        let line = Array(#"{"call":"1","state":"ringing","direction":"incoming","name":"Zo"#.utf8) + [0xEB]
            + Array(#""}"#.utf8)
        let e = try EventLineDecoder.decode(line)
        #expect(e.remoteName == "Zo\u{FFFD}")
    }

    @Test func decodesFromAnySliceOfABuffer() throws {
        let buffer = Array("garbage\n{\"call\":\"9\",\"state\":\"answered\",\"direction\":\"outgoing\"}\nmore".utf8)
        let start = try #require(buffer.firstIndex(of: UInt8(ascii: "{")))
        let end = try #require(buffer[start...].firstIndex(of: UInt8(ascii: "\n")))
        #expect(try EventLineDecoder.decode(buffer[start..<end]) == CallEvent(callID: "9", state: .answered, direction: .outgoing))
    }
}
