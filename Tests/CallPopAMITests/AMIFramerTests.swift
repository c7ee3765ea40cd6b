import CallPopAMI
import CallPopTestSupport
import Testing

/// The framer over the recorded Asterisk 22 streams and over hostile input.
@Suite struct AMIFramerTests {
    static let scenarios = ["inbound-answered", "inbound-missed", "outbound-answered", "internal-colleague"]

    static func decode(_ chunks: [ArraySlice<UInt8>], framer: AMIFramer = AMIFramer()) -> [AMIFramer.Output] {
        var framer = framer
        return chunks.flatMap { framer.feed($0) }
    }

    @Test(arguments: scenarios)
    func recordedStreamDecodesToBannerAndMessages(scenario: String) throws {
        let bytes = try Fixtures.bytes("asterisk-22/\(scenario)/ami.txt")
        let outputs = Self.decode([bytes[...]])
        #expect(outputs.first == .banner(version: "11.0.0"))
        let messages = outputs.compactMap { if case .message(let m) = $0 { m } else { nil } }
        #expect(messages.count == outputs.count - 1, "no garbage in a real recording")
        // Every message of the recording is one blank-line-separated block after the banner line.
        let blocks = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }
        #expect(messages.count == blocks.count)
        #expect(messages.first?.response == "Success")
        #expect(messages.first?["message"] == "Authentication accepted")
        #expect(messages.last?.response == "Goodbye")
        #expect(messages.filter { $0.isEvent("Hangup") }.count == 2)
    }

    @Test(arguments: scenarios)
    func oneByteAtATimeGivesTheSameOutputs(scenario: String) throws {
        let bytes = try Fixtures.bytes("asterisk-22/\(scenario)/ami.txt")
        let whole = Self.decode([bytes[...]])
        let single = Self.decode(bytes.indices.map { bytes[$0...$0] })
        #expect(single == whole)
    }

    /// Every split offset of a full recording costs O(n²) (minutes in debug
    /// builds); every offset of the first 4 KiB (banner, login response,
    /// several events) plus every 101st offset of the whole stream keeps the
    /// test to seconds and still cuts inside CRLFs, keys, values and blank lines.
    @Test(arguments: scenarios)
    func splitAtEveryOffsetGivesTheSameOutputs(scenario: String) throws {
        let bytes = try Fixtures.bytes("asterisk-22/\(scenario)/ami.txt")
        let whole = Self.decode([bytes[...]])
        let head = Array(bytes.prefix(4096))
        let headWhole = Self.decode([head[...]])
        for offset in 0...head.count {
            #expect(Self.decode([head[..<offset], head[offset...]]) == headWhole, "split at \(offset)")
        }
        for offset in stride(from: 0, through: bytes.count, by: 101) {
            #expect(Self.decode([bytes[..<offset], bytes[offset...]]) == whole, "split at \(offset)")
        }
    }

    /// Reads of random sizes (1 byte to 1 KiB), as TCP and TLS deliver them, over the whole stream.
    @Test(arguments: scenarios)
    func randomChunkSizesGiveTheSameOutputs(scenario: String) throws {
        let bytes = try Fixtures.bytes("asterisk-22/\(scenario)/ami.txt")
        let whole = Self.decode([bytes[...]])
        var generator = SplitMix64(seed: UInt64(bytes.count))
        for round in 0..<20 {
            #expect(Self.decode(randomChunks(bytes, upTo: 1024, using: &generator)) == whole, "round \(round)")
        }
    }

    @Test func bareLineFeedsEqualCRLF() throws {
        let bytes = try Fixtures.bytes("asterisk-22/inbound-answered/ami.txt")
        let bare = bytes.filter { $0 != UInt8(ascii: "\r") }
        #expect(Self.decode([bare[...]]) == Self.decode([bytes[...]]))
    }

    @Test func keysAreCaseInsensitiveAndRepeatedKeysKeepOrder() {
        let outputs = Self.decode([Array("Event: VarSet\r\nvariable: A\r\nVARIABLE: B\r\nValue:   spaced \r\n\r\n".utf8)[...]])
        guard case .message(let message) = outputs.first else { Issue.record("no message"); return }
        #expect(message.event == "VarSet")
        #expect(message["Variable"] == "A")
        #expect(message.values("variable") == ["A", "B"])
        #expect(message["value"] == "  spaced ", "one separating space removed, the rest kept")
    }

    static let followsStream = Array("""
        Asterisk Call Manager/2.10.4\r
        Response: Follows\r
        Privilege: Command\r
        ActionID: callpop-7\r
        Name/username: 201\r
        \r
        Channel: PJSIP/201-00000001\r
        --END COMMAND--\r
        \r
        Response: Success\r
        ActionID: callpop-8\r
        Ping: Pong\r
        \r

        """.utf8)

    /// The old `Command` reply: raw lines (even blank ones and `Key: Value`-looking ones) until `--END COMMAND--`.
    @Test func followsOutputRunsToEndCommand() {
        let outputs = Self.decode([Self.followsStream[...]])
        #expect(outputs == [
            .banner(version: "2.10.4"),
            .message(AMIMessage(
                [.init("Response", "Follows"), .init("Privilege", "Command"), .init("ActionID", "callpop-7")],
                output: ["Name/username: 201", "", "Channel: PJSIP/201-00000001"])),
            .message(AMIMessage(["Response": "Success", "ActionID": "callpop-8", "Ping": "Pong"])),
        ])
        for offset in 0...Self.followsStream.count {
            let split = Self.decode([Self.followsStream[..<offset], Self.followsStream[offset...]])
            #expect(split == outputs, "split at \(offset)")
        }
    }

    @Test func endCommandGluedToTheLastOutputLine() {
        let outputs = Self.decode([Array("Response: Follows\nlast line--END COMMAND--\n\n".utf8)[...]])
        #expect(outputs == [.message(AMIMessage([.init("Response", "Follows")], output: ["last line"]))])
    }

    @Test func garbageLinesAreReportedAndDecodingGoesOn() {
        let stream = "Event: A\r\nthis is not a field\r\nKey: 1\r\n\r\n\u{1}\u{2}junk\r\n\r\nEvent: B\r\n\r\n"
        let outputs = Self.decode([Array(stream.utf8)[...]])
        #expect(outputs == [
            .garbage(AMIGarbage(.notAField, excerpt: Array("this is not a field".utf8))),
            .message(AMIMessage(["Event": "A", "Key": "1"])),
            .garbage(AMIGarbage(.notAField, excerpt: Array("\u{1}\u{2}junk".utf8))),
            .message(AMIMessage(["Event": "B"])),
        ])
        #expect(AMIGarbage(.notAField, excerpt: Array("\u{1}\u{2}junk".utf8)).excerpt == "??junk")
        // Garbage between fields, split anywhere: the fields around it are kept, the garbage is not.
        let bytes = Array(stream.utf8)
        #expect(Self.decode(bytes.indices.map { bytes[$0...$0] }) == outputs)
        for offset in 0...bytes.count {
            #expect(Self.decode([bytes[..<offset], bytes[offset...]]) == outputs, "split at \(offset)")
        }
    }

    /// A decoded message equals (and hashes like) the same fields built in code, whatever the
    /// spacing and line ends on the wire; keys and values compare exactly, lookups do not.
    @Test func decodedMessagesEqualBuiltOnes() {
        let outputs = Self.decode([Array("Event: A\r\nKey:1\nkey: \r\n\r\n".utf8)[...]])
        let built = AMIMessage(["Event": "A", "Key": "1", "key": ""])
        #expect(outputs == [.message(built)])
        guard case .message(let decoded) = outputs.first else { Issue.record("no message"); return }
        #expect(Set([decoded, built]).count == 1)
        #expect(decoded != AMIMessage(["Event": "A", "Key": "1", "Key": ""]))
        #expect(decoded != AMIMessage(["Event": "A", "Key": "1"]))
        #expect(decoded["KEY"] == "1")
        #expect(decoded.values("key") == ["1", ""])
        #expect(decoded.isEvent("a") && !decoded.isEvent("B"))
        var changed = decoded
        changed.fields.append(.init("More", "x"))
        #expect(changed["more"] == "x")
        #expect(decoded["More"] == nil, "a copy changes alone")
    }

    @Test func overlongLineIsDroppedWithItsMessageAndMemoryStaysBounded() {
        var framer = AMIFramer(maxLineBytes: 64, maxMessageBytes: 256)
        var outputs = framer.feed(Array("Event: Big\r\nValue: ".utf8))
        for _ in 0..<10_000 { outputs += framer.feed(Array(repeating: UInt8(ascii: "x"), count: 100)) }
        outputs += framer.feed(Array("\r\nMore: 1\r\n\r\nEvent: Next\r\n\r\n".utf8))
        #expect(outputs.count == 2)
        guard case .garbage(let garbage) = outputs.first else { Issue.record("expected garbage"); return }
        #expect(garbage.reason == .lineTooLong)
        #expect(outputs.last == .message(AMIMessage(["Event": "Next"])))
    }

    @Test func oversizedMessageIsDroppedThenDecodingResumes() {
        var framer = AMIFramer(maxLineBytes: 64, maxMessageBytes: 256)
        var stream = "Event: Huge\r\n"
        for index in 0..<100 { stream += "Key\(index): value\r\n" }
        stream += "\r\nEvent: Small\r\n\r\n"
        let outputs = framer.feed(Array(stream.utf8))
        #expect(outputs.count == 2)
        guard case .garbage(let garbage) = outputs.first else { Issue.record("expected garbage"); return }
        #expect(garbage.reason == .messageTooLarge)
        #expect(outputs.last == .message(AMIMessage(["Event": "Small"])))
    }

    /// A `Follows` reply without its end marker is bounded too: decoding resumes after it.
    @Test func unterminatedFollowsCannotSwallowTheStream() {
        var framer = AMIFramer(maxLineBytes: 64, maxMessageBytes: 256)
        var outputs = framer.feed(Array("Response: Follows\r\n".utf8))
        for _ in 0..<1000 { outputs += framer.feed(Array("output line\r\n".utf8)) }
        outputs += framer.feed(Array("\r\nEvent: Alive\r\n\r\n".utf8))
        #expect(outputs.first == .garbage(AMIGarbage(.messageTooLarge, excerpt: Array("output line".utf8))))
        #expect(outputs.last == .message(AMIMessage(["Event": "Alive"])))
        #expect(outputs.count < 30, "the rest of the runaway reply is skipped, not reported line by line")
    }

    /// Random bytes never crash the framer, never yield huge messages, and a
    /// clean message after them (past a blank line) is still decoded.
    @Test func randomBytesThenAValidMessage() {
        var generator = SplitMix64(seed: 0x5EED)
        for round in 0..<50 {
            var framer = AMIFramer(maxLineBytes: 512, maxMessageBytes: 4096)
            var noise = (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if round % 2 == 0 { noise = noise.map { $0 % 4 == 0 ? UInt8(ascii: "\n") : $0 } }
            var outputs = framer.feed(noise)
            for output in outputs {
                if case .message(let message) = output {
                    #expect(message.fields.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count } <= 4096)
                }
            }
            outputs = framer.feed(Array("\r\n\r\n--END COMMAND--\r\n\r\nEvent: Alive\r\n\r\n".utf8))
            #expect(outputs.last == .message(AMIMessage(["Event": "Alive"])), "round \(round)")
        }
    }
}

/// `bytes` cut into pieces of 1 to `size` bytes, as reads of a socket deliver them.
func randomChunks(_ bytes: [UInt8], upTo size: Int, using generator: inout some RandomNumberGenerator) -> [ArraySlice<UInt8>] {
    var chunks: [ArraySlice<UInt8>] = []
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + Int.random(in: 1...size, using: &generator))
        chunks.append(bytes[start..<end])
        start = end
    }
    return chunks
}
