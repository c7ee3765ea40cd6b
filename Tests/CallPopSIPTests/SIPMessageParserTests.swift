import CallPopSIP
import CallPopTestSupport
import Testing

@Suite struct SIPMessageParserTests {
    @Test func parsesRequestWithCompactFormsFoldingAndLists() throws {
        let text = "SUBSCRIBE sip:201@pbx.example.com SIP/2.0\r\n"
            + "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2\r\n"
            + "Via: SIP/2.0/TCP 10.0.0.3;branch=z9hG4bK3\r\n"
            + "f: \"Doe, John\" <sip:201@pbx.example.com>;tag=abc\r\n"
            + "t: <sip:201@pbx.example.com>\r\n"
            + "i: call-1@host\r\n"
            + "CSeq: 7 SUBSCRIBE\r\n"
            + "Subject: first part\r\n"
            + " \t second part\r\n"
            + "o: dialog\r\n"
            + "l: 4\r\n\r\nbodyEXTRA"
        let message = try SIPMessageParser.parseDatagram(Array(text.utf8))
        #expect(message.startLine == .request(method: "SUBSCRIBE", uri: "sip:201@pbx.example.com"))
        #expect(message.listValues("Via") == [
            "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1", "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2",
            "SIP/2.0/TCP 10.0.0.3;branch=z9hG4bK3",
        ])
        #expect(message.header("call-id") == "call-1@host")
        #expect(message.header("Event") == "dialog")
        #expect(message.header("subject") == "first part second part")
        #expect(message.listValues("From") == ["\"Doe, John\" <sip:201@pbx.example.com>;tag=abc"])
        #expect(message.cseq?.number == 7)
        #expect(message.cseq?.method == "SUBSCRIBE")
        #expect(message.body == Array("body".utf8))
    }

    /// SIP's structure is ASCII: a combining mark after a space, colon or comma must not
    /// join it into one `Character` that hides it (the trim missed such a space; found by
    /// fuzzing, see `SIPFuzzFindingTests`).
    @Test func combiningMarksDoNotHideSpacesColonsOrCommas() throws {
        let text = "NOTIFY sip:201@pbx.example.com SIP/2.0\r\n"
            + "Via: \u{301}SIP/2.0/UDP a;branch=z9hG4bK1,\u{301}SIP/2.0/UDP b \u{301}\r\n"
            + "Subject:\u{6EB}x\r\n"
            + "CSeq: 7 \u{301}NOTIFY\r\n"
            + "l: 0\r\n\r\n"
        let message = try SIPMessageParser.parseDatagram(Array(text.utf8))
        #expect(message.listValues("Via") == ["\u{301}SIP/2.0/UDP a;branch=z9hG4bK1", "\u{301}SIP/2.0/UDP b \u{301}"])
        #expect(message.header("Subject") == "\u{6EB}x")
        #expect(message.cseq?.number == 7)
        let reparsed = try SIPMessageParser.parseDatagram(message.serialized())
        #expect(reparsed.headerValues("Via") == message.headerValues("Via"))
    }

    @Test func parsesResponsesAndBareLineFeeds() throws {
        let message = try SIPMessageParser.parseDatagram(Array("SIP/2.0 401 Unauthorized\nCSeq: 1 SUBSCRIBE\n\n".utf8))
        #expect(message.statusCode == 401)
        #expect(message.startLine == .response(statusCode: 401, reason: "Unauthorized"))
        #expect(message.body.isEmpty)
    }

    @Test func serializesWithContentLength() throws {
        let message = SIPMessage(
            startLine: .request(method: "NOTIFY", uri: "sip:a@b"),
            headers: [SIPHeader("Content-Length", "99"), SIPHeader("Event", "dialog")], body: Array("xyz".utf8))
        let wire = String(decoding: message.serialized(), as: UTF8.self)
        #expect(wire == "NOTIFY sip:a@b SIP/2.0\r\nEvent: dialog\r\nContent-Length: 3\r\n\r\nxyz")
        #expect(try SIPMessageParser.parseDatagram(message.serialized()) == SIPMessage(
            startLine: message.startLine, headers: [SIPHeader("Event", "dialog"), SIPHeader("Content-Length", "3")], body: message.body))
    }

    @Test(arguments: [
        ("HELLO\r\n\r\n", SIPError.Code.badStartLine),
        ("SIP/2.0 99 Low\r\n\r\n", .badStartLine),
        ("SIP/2.0 2000 OK\r\n\r\n", .badStartLine),
        ("INVITE sip:a@b HTTP/1.1\r\n\r\n", .badStartLine),
        ("INVITE sip:a@b SIP/2.0\r\nNoColon\r\n\r\n", .badHeader),
        ("INVITE sip:a@b SIP/2.0\r\n folded first\r\n\r\n", .badHeader),
        ("INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n", .badHeader),
        ("INVITE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n", .badContentLength),
        ("INVITE sip:a@b SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n", .badContentLength),
        ("INVITE sip:a@b SIP/2.0\r\nContent-Length: 10000000\r\n\r\n", .badContentLength),
        ("INVITE sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\nshort", .truncated),
        ("INVITE sip:a@b SIP/2.0\r\nVia: x\r\n", .truncated),
    ])
    func rejectsMalformedDatagrams(text: String, code: SIPError.Code) {
        #expect(throws: SIPError.self) { try SIPMessageParser.parseDatagram(Array(text.utf8)) }
        do {
            _ = try SIPMessageParser.parseDatagram(Array(text.utf8))
        } catch {
            #expect(error.code == code)
        }
    }

    @Test func rejectsHugeHeaderSections() {
        let huge = Array("NOTIFY sip:a@b SIP/2.0\r\nX: ".utf8) + [UInt8](repeating: 65, count: 100_000)
        #expect(throws: SIPError.self) { try SIPMessageParser.parseDatagram(huge) }
        var framer = SIPStreamFramer()
        framer.append(huge)
        #expect(throws: SIPError.self) { try framer.nextMessage() }
    }

    @Test(arguments: recordedDialogFiles)
    func framesRecordedStreamsTheSameWhateverTheSplit(file: String) throws {
        let bytes = try Fixtures.bytes(file)
        let whole = try recordedNotifies(file)
        #expect(whole.count >= 4)
        #expect(whole.allSatisfy { $0.method == "NOTIFY" && $0.header("Event") == "dialog" })
        // One byte at a time.
        var framer = SIPStreamFramer()
        var oneByOne: [SIPMessage] = []
        for byte in bytes {
            framer.append([byte])
            while let message = try framer.nextMessage() { oneByOne.append(message) }
        }
        #expect(oneByOne == whole)
        #expect(framer.bufferedByteCount == 0)
        // Split at every offset.
        for offset in 0...bytes.count {
            var split = SIPStreamFramer()
            var messages: [SIPMessage] = []
            split.append(bytes[..<offset])
            while let message = try split.nextMessage() { messages.append(message) }
            split.append(bytes[offset...])
            while let message = try split.nextMessage() { messages.append(message) }
            #expect(messages == whole, "split at \(offset)")
            if messages != whole { break }
        }
    }

    @Test func framerSkipsKeepAlivesAndWaitsForTheBody() throws {
        var framer = SIPStreamFramer()
        framer.append(Array("\r\n\r\n\r\nSIP/2.0 200 OK\r\nl: 5\r\n\r\nab".utf8))
        #expect(try framer.nextMessage() == nil)
        framer.append(Array("cde\r\n".utf8))
        let message = try framer.nextMessage()
        #expect(message?.statusCode == 200)
        #expect(message?.body == Array("abcde".utf8))
        #expect(try framer.nextMessage() == nil)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func randomBytesNeverCrashTheParsers() {
        var generator = SplitMix64(seed: 42)
        let alphabet = Array("SIP/2.0 INVITE sip:@;<>\":,= \r\n\t\r\nContent-Length: 12\r\n".utf8)
        for round in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...300, using: &generator) {
                bytes.append(round % 2 == 0
                    ? UInt8.random(in: 0...255, using: &generator)
                    : alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
            }
            _ = try? SIPMessageParser.parseDatagram(bytes)
            var framer = SIPStreamFramer()
            framer.append(bytes)
            while let message = try? framer.nextMessage() { _ = message }
        }
    }

    @Test func mutatedRecordingsNeverCrashTheParsers() throws {
        var generator = SplitMix64(seed: 7)
        let original = try Fixtures.bytes("kamailio-5.6/outbound-answered/dialog-201.txt")
        for _ in 0..<500 {
            var bytes = original
            for _ in 0..<8 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            var framer = SIPStreamFramer()
            framer.append(bytes)
            while let message = try? framer.nextMessage() { _ = message }
        }
    }
}
