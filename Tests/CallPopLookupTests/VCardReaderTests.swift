import CallPopLookup
import CallPopTestSupport
import Testing

@Suite struct VCardReaderTests {
    private func read(_ text: String) throws -> [Contact] {
        try VCardReader.contacts(in: Array(text.utf8), directory: "book")
    }

    @Test func readsVCard3WithFoldingEscapesParametersAndGroups() throws {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Müller\\, Hans\r\nN:Müller;Hans;;Dr.;\r\n"
            + "ORG:ACME GmbH\\; Hamburg;Sales\r\nTEL;TYPE=WORK,VOICE:+49 40 12\r\n 34567\r\n"
            + "TEL;type=CELL;type=pref:0171/1234567\r\nitem1.TEL:040 7654321\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\n"
            + "TEL:+44 20 7123 4567\r\nURL:https://crm.example.com/c/17\r\nUID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\n"
            + "NOTE:line one\\nline two\r\nPHOTO;ENCODING=b;TYPE=JPEG:" + String(repeating: "QUJD", count: 10_000) + "\r\n"
            + "END:VCARD\r\n"
        let contacts = try read(text)
        #expect(contacts.count == 1)
        let contact = try #require(contacts.first)
        #expect(contact.name == "Müller, Hans")
        #expect(contact.organisation == "ACME GmbH; Hamburg, Sales")
        #expect(contact.url == "https://crm.example.com/c/17")
        #expect(contact.id == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1")
        #expect(contact.note == "line oneline two", "line feeds are control characters and are removed for display")
        #expect(contact.directory == "book")
        #expect(contact.numbers == [
            ContactNumber("+49 40 1234567", kinds: ["work", "voice"]),
            ContactNumber("0171/1234567", kinds: ["cell"]),
            ContactNumber("040 7654321", kinds: ["mobile"]),
            ContactNumber("+44 20 7123 4567"),
        ])
    }

    @Test func readsVCard4WithTelURIsAndQuotedParameters() throws {
        let text = """
            BEGIN:VCARD
            VERSION:4.0
            FN:Jane Doe
            TEL;VALUE=uri;TYPE="voice,work";PREF=1:tel:+1-201-555-0123;ext=45
            TEL;VALUE=uri;TYPE=cell:tel:+1-201-555-0199
            TEL;LABEL="Front desk: ask ^'Ann^'":tel:+1-201-555-0100
            ORG:Example Inc.
            END:VCARD
            """
        let contact = try #require(try read(text).first)
        #expect(contact.name == "Jane Doe")
        #expect(contact.numbers.map(\.text) == ["tel:+1-201-555-0123;ext=45", "tel:+1-201-555-0199", "tel:+1-201-555-0100"])
        #expect(contact.numbers.first?.kinds == ["voice", "work"])
        let index = ContactIndex(try read(text), matcher: NumberMatcher(plan: .init(countryCode: "1", nationalPrefix: "1", internationalPrefix: "011")))
        #expect(index.lookup("(201) 555-0123").map(\.name) == ["Jane Doe"])
        #expect(index.lookup("+1 201 555 0100").map(\.name) == ["Jane Doe"])
    }

    @Test func readsVCard21QuotedPrintableAndLatin1() throws {
        var bytes = Array("BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=ISO-8859-1:M".utf8) + [0xFC] + Array("ller;J".utf8) + [0xFC] + Array("rgen\n".utf8)
        bytes += Array("FN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=BCrgen M=C3=BC=\nller\nTEL;WORK;VOICE:040-1234567\nEND:VCARD\n".utf8)
        let contact = try #require(try VCardReader.contacts(in: bytes, directory: "old").first)
        #expect(contact.name == "Jürgen Müller")
        #expect(contact.numbers == [ContactNumber("040-1234567", kinds: ["work", "voice"])])
    }

    @Test func namesFromNOrOrganisationWhenFNIsMissing() throws {
        let contacts = try read("BEGIN:VCARD\nN:Doe;John;;;\nTEL:1\nEND:VCARD\nBEGIN:VCARD\nORG:Pizza Roma\nTEL:2\nEND:VCARD\nBEGIN:VCARD\nTEL:3\nEND:VCARD\n")
        #expect(contacts.map(\.name) == ["John Doe", "Pizza Roma", ""])
    }

    @Test func readsSeveralCardsAndSkipsWhatIsNotOne() throws {
        let text = "garbage line\nBEGIN:VCARD\nFN:A\nEND:VCARD\n\n\nFN:outside\nBEGIN:VCARD\nFN:B\nbroken line without colon\n;;;\n:\nEND:VCARD\n"
        #expect(try read(text).map(\.name) == ["A", "B"])
    }

    @Test func dropsACardCutShortAndACardOpenedInsideAnother() throws {
        #expect(try read("BEGIN:VCARD\nFN:A\nTEL:+49 40 123").isEmpty)
        #expect(try read("BEGIN:VCARD\nFN:A\nTEL:1\nBEGIN:VCARD\nFN:B\nEND:VCARD\n").map(\.name) == ["B"])
    }

    @Test func removesControlAndBidiCharactersFromText() throws {
        let contact = try #require(try read("BEGIN:VCARD\nFN:Evil\u{1B}[31m\u{202E}Name\u{7}\nEND:VCARD\n").first)
        #expect(contact.name == "Evil[31mName")
        let url = try #require(try read("BEGIN:VCARD\nFN:x\nURL:https://e.com/\u{1B}x\nEND:VCARD\n").first)
        #expect(url.url == "", "a URL with control characters is dropped, not changed")
    }

    @Test func refusesInputOverTheSizeLimit() {
        let bytes = [UInt8](repeating: 0x41, count: VCardReader.maximumBytes + 1)
        #expect(throws: LookupError.self) { try VCardReader.contacts(in: bytes, directory: "x") }
    }

    @Test func keepsAtMostTheNumberLimitPerContact() throws {
        let text = "BEGIN:VCARD\nFN:Many\n" + (0..<500).map { "TEL:+4940\($0)1234\n" }.joined() + "END:VCARD\n"
        #expect(try read(text).first?.numbers.count == VCardReader.maximumNumbersPerContact)
    }

    @Test func survivesRandomAndMutatedBytes() throws {
        var generator = SplitMix64(seed: 0x5CA2D)
        let seed = Array("BEGIN:VCARD\r\nVERSION:3.0\r\nitem1.TEL;TYPE=\"a,b\";X=^n:+49 40\r\n 1\\,2\r\nFN;ENCODING=QUOTED-PRINTABLE:=C3=BC=\r\nx\r\nN:a;b;c\r\nEND:VCARD\r\n".utf8)
        let alphabet = Array("BEGIN:VCARDEND;=,\\\"^\r\n .TELFN0123+".utf8) + [0xFF, 0xC3, 0x00]
        var parsedSome = 0
        for round in 0..<5000 {
            let bytes = round % 4 == 0
                ? ByteMutator.random(count: Int.random(in: 0...400, using: &generator), using: &generator)
                : ByteMutator.mutate(seed, alphabet: alphabet, edits: 4, using: &generator)
            let contacts = try VCardReader.contacts(in: bytes, directory: "fuzz")
            parsedSome += contacts.isEmpty ? 0 : 1
            for contact in contacts {
                #expect(!contact.name.unicodeScalars.contains { $0.value < 0x20 })
            }
        }
        #expect(parsedSome > 500, "mutations should often still be cards: \(parsedSome)")
    }
}
