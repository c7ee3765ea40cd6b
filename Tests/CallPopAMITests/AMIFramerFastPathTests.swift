@testable import CallPopAMI
import CallPopTestSupport
import Testing

/// The framer's fast paths: events skipped from their first line, field lines parsed in one
/// loop, keys read eight bytes at a time. Each is checked on every boundary it has, and the
/// whole framer against `ReferenceAMIFramer` on seeded random streams cut at random places.
@Suite struct AMIFramerFastPathTests {
    static let scenarios = ["inbound-answered", "inbound-missed", "outbound-answered", "internal-colleague"]
    static let filter = AMIEventFilter(passing: AMISession.wantedEvents)

    static func decode(_ chunks: [ArraySlice<UInt8>], framer: AMIFramer) -> [AMIFramer.Output] {
        var framer = framer
        return chunks.flatMap { framer.feed($0) }
    }

    /// With the filter, a recording decodes to the unfiltered messages minus the skipped events.
    @Test(arguments: scenarios)
    func filteredRecordingKeepsEveryWantedMessage(scenario: String) throws {
        let bytes = try AMIStreams.recorded(scenario)
        let all = Self.decode([bytes[...]], framer: AMIFramer())
        var framer = AMIFramer(events: Self.filter)
        let filtered = framer.feed(bytes)
        let expected = all.filter { output in
            guard case .message(let message) = output, let event = message.event else { return true }
            return Self.filter.passes(event)
        }
        #expect(filtered == expected)
        #expect(framer.skippedEvents == all.count - expected.count)
        let events = all.filter { if case .message(let m) = $0 { m.event != nil } else { false } }.count
        #expect(framer.skippedEvents * 4 > events * 3, "most of a recording is events the session ignores")
    }

    @Test(arguments: scenarios)
    func filteredOneByteAtATimeAndSplitAnywhereGiveTheSameOutputs(scenario: String) throws {
        let bytes = try AMIStreams.recorded(scenario)
        let framer = AMIFramer(events: Self.filter)
        let whole = Self.decode([bytes[...]], framer: framer)
        #expect(Self.decode(bytes.indices.map { bytes[$0...$0] }, framer: framer) == whole)
        for offset in stride(from: 0, through: bytes.count, by: 37) {
            #expect(Self.decode([bytes[..<offset], bytes[offset...]], framer: framer) == whole, "split at \(offset)")
        }
    }

    /// Every way a skipped event can end (LF LF, CRLF CRLF, LF CRLF, a lone CR line is not
    /// blank), cut at every offset.
    @Test(arguments: [
        "Event: VarSet\r\nA: 1\r\n\r\nEvent: Hangup\r\nB: 2\r\n\r\n",
        "Event: VarSet\nA: 1\n\nEvent: Hangup\nB: 2\n\n",
        "Event: VarSet\nA: 1\n\r\nEvent: Hangup\r\n\r\n",
        "Event: VarSet\r\n\r\r\nStill: skipped\r\n\r\nEvent: Hangup\r\n\n",
        "Event: VarSet\r\n\r\nEvent: Hangup\r\n\r\n",
        "Event: VarSet\r\n\rx\r\n\r\nEvent: Hangup\r\n\r\n",
        "junk\r\nEvent: VarSet\r\nlong line without a colon\r\n\r\nEvent: Hangup\r\nB: 2\r\n\r\n",
    ])
    func skippedEventsEndAtTheirBlankLine(_ text: String) {
        let bytes = Array(text.utf8)
        let framer = AMIFramer(events: Self.filter)
        let whole = Self.decode([bytes[...]], framer: framer)
        #expect(whole == ReferenceAMIFramer(events: AMISession.wantedEvents).decode(bytes))
        #expect(whole.contains { if case .message(let m) = $0 { m.isEvent("Hangup") } else { false } })
        #expect(!whole.contains { if case .message(let m) = $0 { m.isEvent("VarSet") } else { false } })
        for offset in 0...bytes.count {
            #expect(Self.decode([bytes[..<offset], bytes[offset...]], framer: framer) == whole, "split at \(offset)")
            for second in offset...bytes.count where second - offset < 4 {
                #expect(Self.decode([bytes[..<offset], bytes[offset..<second], bytes[second...]], framer: framer) == whole)
            }
        }
    }

    /// The sixteen-bytes-at-a-step skip: a skipped event's blank line in every lane of a
    /// window and on every side of a window's end and a read's end, in each form it can
    /// take, with lines of a lone CR start that are not blank, cut at every offset.
    @Test(arguments: [("\r\n", "\r\n"), ("\n", "\n"), ("\n", "\r\n"), ("\r\n", "\n")])
    func skippedEventsEndInEveryLaneOfAWindow(_ lineEnd: String, _ blank: String) {
        let reference = ReferenceAMIFramer(events: AMISession.wantedEvents)
        let framer = AMIFramer(events: Self.filter)
        for padding in 0..<40 {
            let text = "Event: VarSet" + lineEnd + "Value: " + String(repeating: "v", count: padding) + lineEnd
                + "\rx" + String(repeating: "w", count: padding % 5) + lineEnd + "Other: \r" + lineEnd + blank
                + "Event: Hangup" + lineEnd + "B: 2" + lineEnd + blank
            let bytes = Array(text.utf8)
            let whole = Self.decode([bytes[...]], framer: framer)
            #expect(whole == reference.decode(bytes), "padding \(padding)")
            #expect(whole.count == 1, "padding \(padding): only the Hangup, got \(whole)")
            for offset in 0...bytes.count {
                #expect(Self.decode([bytes[..<offset], bytes[offset...]], framer: framer) == whole, "padding \(padding), split at \(offset)")
            }
        }
    }

    /// The eight-at-a-time key scan against the byte-by-byte one: keys of every length up to
    /// 24, with every byte value put at every position.
    @Test func keysReadEightBytesAtATimeMatchByteByByte() {
        var mismatches: [String] = []
        for length in 0...24 {
            let base = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) } + Array(": value".utf8)
            for position in 0..<base.count {
                for byte in UInt8.min...UInt8.max {
                    var line = base
                    line[position] = byte
                    let fast = line.withUnsafeBufferPointer { AMIFramer.keyEnd($0) }
                    if fast != ReferenceAMIFramer.keyEnd(line) { mismatches.append("length \(length), byte \(byte) at \(position)") }
                }
            }
        }
        #expect(mismatches.isEmpty)
    }

    @Test func eightLettersAtATime() {
        var mismatches: [String] = []
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for position in 0..<8 {
            for byte in UInt8.min...UInt8.max {
                var bytes = Array("AbCdEfGh".utf8)
                bytes[position] = byte
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                if AMIFramer.allLetters(word) != letters.contains(byte) { mismatches.append("byte \(byte) at \(position)") }
                // The first byte that is no letter, as the key scan finds it in the same step.
                let others = AMIFramer.nonLetters(UInt64(littleEndian: word))
                let first = others == 0 ? nil : others.trailingZeroBitCount >> 3
                if first != (letters.contains(byte) ? nil : position) { mismatches.append("first non-letter, byte \(byte) at \(position)") }
            }
        }
        #expect(mismatches.isEmpty)
    }

    /// The whole framer against the reference on seeded random streams of realistic and
    /// broken lines, with and without the filter, small limits, fed in random chunks.
    @Test(arguments: [false, true])
    func differentialAgainstTheReference(filtered: Bool) {
        let lines = [
            "Event: VarSet", "Event: Newchannel", "Event: Hangup", "Event: DialBegin", "EVENT: hangup", "Event:VarSet",
            "Response: Success", "Response: Follows", "Response: Error", "Channel: PJSIP/201-00000001",
            "Uniqueid: 1795593625.1", "Variable: a:b", "Key:", "Key: ", ":novalue", "not a field", "Asterisk Call Manager/9.9",
            "--END COMMAND--", "out--END COMMAND--", "ActionID: a1", "Privilege: Command", "Message: hi", "a b: c",
            "ChannelStateDescription: Ringing", "abcdefghABCDEFGH12: x", "abcdefgh_ijklmnop: y", "\u{C4}: x",
            String(repeating: "x", count: 70), "Long: " + String(repeating: "y", count: 60), "",
        ]
        let ends = ["\r\n", "\r\n", "\r\n", "\n", "\r\r\n", "\r"]
        var generator = SplitMix64(seed: filtered ? 0xF117 : 0xD1FF)
        let events: [String]? = filtered ? AMISession.wantedEvents : nil
        let reference = ReferenceAMIFramer(maxLineBytes: 64, maxMessageBytes: 256, events: events)
        let framer = AMIFramer(maxLineBytes: 64, maxMessageBytes: 256, events: events.map { AMIEventFilter(passing: $0) })
        var seen: [String: Int] = [:]  // what the rounds produced: the test must reach every kind of output
        for round in 0..<400 {
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 1...60, using: &generator) {
                stream += lines.randomElement(using: &generator)!.utf8
                stream += ends.randomElement(using: &generator)!.utf8
            }
            let expected = reference.decode(stream)
            for output in expected {
                switch output {
                case .banner: seen["banner", default: 0] += 1
                case .message(let m): seen[m.output.isEmpty ? "message" : "follows", default: 0] += 1
                case .garbage(let g): seen[g.reason.rawValue, default: 0] += 1
                }
            }
            #expect(Self.decode(randomChunks(stream, upTo: 48, using: &generator), framer: framer) == expected, "round \(round)")
            #expect(Self.decode([stream[...]], framer: framer) == expected, "round \(round), whole")
        }
        #expect(seen.count == 6, "kinds of output reached: \(seen)")
    }

    /// A message of hundreds of fields: the field list grows while the fast loop fills it (at
    /// 32, 64, 128 and 256 fields), fed whole or in chunks; every key is found by its signature.
    @Test(arguments: [1, 7, 64, 1 << 20])
    func aMessageOfHundredsOfFieldsKeepsThemAll(chunk: Int) {
        let fields = (0..<300).map { AMIMessage.Field("Key\($0)x" + String(repeating: "k", count: $0 % 11), "value \($0)") }
        let bytes = Array((fields.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n").utf8)
        let chunks = stride(from: 0, to: bytes.count, by: chunk).map { bytes[$0..<min($0 + chunk, bytes.count)] }
        let outputs = Self.decode(chunks, framer: AMIFramer())
        #expect(outputs == ReferenceAMIFramer().decode(bytes))
        guard outputs.count == 1, case .message(let message) = outputs[0] else {
            Issue.record("expected one message, got \(outputs.count) outputs")
            return
        }
        #expect(message.fields == fields)
        for field in fields { #expect(message[field.key.uppercased()] == field.value) }
    }

    /// Lookups jump to keys of the right length (one byte per key, 255 for longer ones): every
    /// length, repeated keys (the first wins), case, built and framed messages alike.
    @Test func lookupsFindTheFirstFieldWhateverTheKeyLength() {
        let lengths = [0, 1, 2, 7, 8, 9, 254, 255, 256, 300]
        var fields: [AMIMessage.Field] = []
        for length in lengths {
            fields.append(.init(String(repeating: "k", count: length), "first \(length)"))
            fields.append(.init(String(repeating: "K", count: length), "second \(length)"))
        }
        let built = AMIMessage(fields)
        let text = fields.filter { !$0.key.isEmpty }.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
        var framer = AMIFramer()
        let framed = framer.feed(Array(text.utf8)).compactMap { if case .message(let m) = $0 { m } else { nil } }
        #expect(framed.count == 1)
        for message in [built] + framed {
            for length in lengths where length > 0 || message == built {
                #expect(message[String(repeating: "K", count: length)] == "first \(length)")
                #expect(message.values(String(repeating: "k", count: length)) == ["first \(length)", "second \(length)"])
            }
            #expect(message[String(repeating: "k", count: 257)] == nil)
            #expect(message["missing"] == nil)
        }
    }
}
