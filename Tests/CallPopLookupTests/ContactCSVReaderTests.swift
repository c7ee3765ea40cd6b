import CallPopCore
import CallPopLookup
import CallPopTestSupport
import Testing

@Suite struct ContactCSVReaderTests {
    private func read(_ text: String) throws -> [Contact] {
        try ContactCSVReader.contacts(in: Array(text.utf8), directory: "csv")
    }

    @Test func readsGoogleContactsExport() throws {
        let text = """
            First Name,Middle Name,Last Name,Organization Name,Organization Title,Notes,Labels,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Website 1 - Label,Website 1 - Value
            Hans,,Müller,ACME GmbH,CEO,"Met at fair, 2023",* myContacts,Mobile,+49 171 1234567 ::: +49 171 7654321,Work,040 1234567,,https://acme.example/hm
            """
        let contact = try #require(try read(text).first)
        #expect(contact.name == "Hans Müller")
        #expect(contact.organisation == "ACME GmbH")
        #expect(contact.url == "https://acme.example/hm")
        #expect(contact.note == "Met at fair, 2023")
        #expect(contact.numbers == [
            ContactNumber("+49 171 1234567", kinds: ["mobile"]), ContactNumber("+49 171 7654321", kinds: ["mobile"]),
            ContactNumber("040 1234567", kinds: ["work"]),
        ])
    }

    @Test func readsOlderGoogleExport() throws {
        let text = "Name,Given Name,Family Name,Organization 1 - Name,Phone 1 - Type,Phone 1 - Value\r\nJane Roe,Jane,Roe,Roe Ltd,Work,+44 20 7123 4567\r\n"
        let contact = try #require(try read(text).first)
        #expect(contact.name == "Jane Roe")
        #expect(contact.organisation == "Roe Ltd")
        #expect(contact.numbers == [ContactNumber("+44 20 7123 4567", kinds: ["work"])])
    }

    @Test func readsOutlookExportWithoutFaxNumbers() throws {
        let text = """
            "First Name","Middle Name","Last Name","Title","Company","Department","Job Title","Business Fax","Business Phone","Business Phone 2","Home Phone","Mobile Phone","Pager","Web Page","Notes"
            "John","Q","Public","Mr.","Contoso","IT","Admin","+1 425 555 0199","+1 (425) 555-0100","","425.555.0150","(425) 555-0111","555","http://contoso.example/jp","Line 1
            Line 2"
            """
        let contact = try #require(try read(text).first)
        #expect(contact.name == "John Q Public")
        #expect(contact.organisation == "Contoso")
        #expect(contact.numbers.map(\.text) == ["+1 (425) 555-0100", "425.555.0150", "(425) 555-0111"])
        #expect(contact.numbers.map(\.kinds) == [["work"], ["home"], ["cell"]])
        #expect(contact.note == "Line 1Line 2")
    }

    @Test func readsThunderbirdExport() throws {
        let text = "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,Work Phone,Home Phone,Fax Number,Pager Number,Mobile Number,Organization,Web Page 1\n"
            + "Erika,Mustermann,Erika M.,,e@example.com,,,030 1234567,,030 1234599,,0151 2345678,Muster AG,https://muster.example\n"
        let contact = try #require(try read(text).first)
        #expect(contact.name == "Erika M.")
        #expect(contact.organisation == "Muster AG")
        #expect(contact.numbers.map(\.text) == ["030 1234567", "0151 2345678"])
    }

    @Test func readsTheSimpleFormWithAndWithoutHeaderAndWithSemicolons() throws {
        #expect(try read("name,number,organisation\nPizza Roma,040 123456,Roma GmbH\n").map(\.organisation) == ["Roma GmbH"])
        #expect(try read("Pizza Roma,040 123456\nTaxi,+49 40 211211\n").map(\.name) == ["Pizza Roma", "Taxi"])
        let german = try read("Name;Telefon geschäftlich;Mobiltelefon;Firma\n\"Meier; Karl\";040 123456;0171 1;X\n")
        #expect(german.first?.numbers == [ContactNumber("040 123456", kinds: ["work"]), ContactNumber("0171 1", kinds: ["cell"])])
        #expect(german.first?.organisation == "X")
        let semicolons = try read("name;number\n\"Meier; Karl\";040 123456\n")
        #expect(semicolons.first?.name == "Meier; Karl")
        #expect(semicolons.first?.numbers.map(\.text) == ["040 123456"])
    }

    @Test func readsQuotesPerRFC4180AndSloppyFiles() throws {
        let contacts = try read("name,number\n\"A \"\"The\"\" B\",\"040, 1\"\nC\"D,040 2\n\"unterminated,040 3\n")
        #expect(contacts.map(\.name) == ["A \"The\" B", "C\"D", "unterminated,040 3"], "an unclosed quote runs to the end; fields are trimmed")
    }

    @Test func decodesUTF16AndLatin1Exports() throws {
        let utf16: [UInt8] = [0xFF, 0xFE] + "name,number\nJürgen,040 1\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try ContactCSVReader.contacts(in: utf16, directory: "x").first?.name == "Jürgen")
        let latin1: [UInt8] = Array("name,number\nJ".utf8) + [0xFC] + Array("rgen,040 1\n".utf8)
        #expect(try ContactCSVReader.contacts(in: latin1, directory: "x").first?.name == "Jürgen")
    }

    @Test func everyContactOfAnExportIsFoundByAnyFormOfItsNumber() throws {
        let text = "First Name,Last Name,Mobile Phone,Business Phone\n" + (0..<300).map { "P\($0),L,0171 \(1_000_000 + $0),+49 (0)40 \(2_000_000 + $0)" }.joined(separator: "\n")
        let index = ContactIndex(try read(text), matcher: NumberMatcher(plan: NumberPlan(countryCode: "49")))
        for person in stride(from: 0, to: 300, by: 7) {
            #expect(index.lookup("+49171\(1_000_000 + person)").map(\.name) == ["P\(person) L"])
            #expect(index.lookup("0049 40 \(2_000_000 + person)").map(\.name) == ["P\(person) L"])
        }
        #expect(index.lookup("+49171999999").isEmpty)
    }

    @Test func survivesRandomAndMutatedBytes() throws {
        var generator = SplitMix64(seed: 0xC5F)
        let seed = Array("First Name,Last Name,Mobile Phone,\"Phone 1 - Value\"\n\"A\"\"b\",c,\"0171, 1\",+49 40 1\r\nd,e,f,g\n".utf8)
        let alphabet = Array(",;\"\r\n\tab01+ ".utf8) + [0xFF, 0xFE, 0x00]
        var contacts = 0
        for round in 0..<5000 {
            let bytes = round % 4 == 0
                ? ByteMutator.random(count: Int.random(in: 0...300, using: &generator), using: &generator)
                : ByteMutator.mutate(seed, alphabet: alphabet, edits: 4, using: &generator)
            contacts += try ContactCSVReader.contacts(in: bytes, directory: "fuzz").count
        }
        #expect(contacts > 1000)
    }
}
