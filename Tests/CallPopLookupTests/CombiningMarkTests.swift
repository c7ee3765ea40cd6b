import CallPopCore
import CallPopLookup
import Testing

/// Text from address books and servers searched as `Character`s: a CR LF is one `Character`,
/// and so is a delimiter with a combining mark after it, so a trim or a search for `/`, `@`,
/// `:`, `,` or a space missed it (the class of defect the `sip-message` fuzz target found in
/// `SIPText.trim`). Each was found by reading after that finding.
@Suite struct CombiningMarkTests {
    static func multistatus(_ inner: String) throws -> DAVMultistatus {
        try DAVMultistatus(parsing: Array("<d:multistatus xmlns:d=\"DAV:\">\(inner)</d:multistatus>".utf8))
    }

    @Test func aCRLFIsTrimmedLikeAnyOtherLineEnd() throws {
        let response = try Self.multistatus(
            "<d:response><d:href>/a.vcf&#13;&#10;</d:href><d:propstat><d:prop><d:getetag>&#13;&#10;\"e1\"</d:getetag></d:prop>"
                + "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>")
        #expect(response.responses.first?.href == "/a.vcf")
        #expect(response.responses.first?.etag == "\"e1\"")
        // A record URL ending in a (quoted-printable) CR LF was taken for one with a control character and dropped.
        let card = "BEGIN:VCARD\r\nFN:A\r\nURL;ENCODING=QUOTED-PRINTABLE:https://crm.example.com/c/1=0D=0A\r\nEND:VCARD\r\n"
        #expect(try VCardReader.contacts(in: Array(card.utf8), directory: "d").first?.url == "https://crm.example.com/c/1")
        // A file without a known extension that starts with a blank line is still a vCard file.
        let file = Array("\r\nBEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n".utf8)
        #expect(try ContactFiles.contacts(in: file, name: "contacts", directory: "d").map(\.name) == ["A"])
    }

    @Test("a mark after /, ? or # does not extend the host, nor one after @ hide the user", arguments: [
        "https://evil.example/\u{301}.example.com/", "https://evil.example?\u{301}.example.com", "https://evil.example#\u{301}.example.com",
        "https://crm.example.com@\u{301}x.example.com/",
    ])
    func aMarkAfterADelimiterDoesNotMoveTheHost(_ url: String) {
        #expect(!RecordHosts(["*.example.com"]).admits(url))
    }

    @Test func aMarkAfterTheSlashOfAMemberPathDoesNotMakeItTheCollection() throws {
        let book = CardDAVAddressBook(directory: "d", collectionPath: "https://cloud.example.com/")
        let response = try Self.multistatus(
            "<d:response><d:href>https://cloud.example.com/\u{301}a.vcf</d:href><d:propstat><d:prop><d:getetag>\"e1\"</d:getetag></d:prop>"
                + "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>")
        #expect(book.changes(fromSync: response).fetch == ["https://cloud.example.com/\u{301}a.vcf"])
    }

    @Test func aMarkAfterTheSpaceOfAStatusLineDoesNotHideTheCode() throws {
        let response = try Self.multistatus("<d:response><d:href>/gone.vcf</d:href><d:status>HTTP/1.1 404 \u{301}Not Found</d:status></d:response>")
        #expect(response.responses.first?.status == 404)
    }

    @Test func aMarkAfterASeparatorDoesNotJoinTwoNumbersOrKinds() throws {
        let csv = try ContactCSVReader.contacts(in: Array("name,phone\nA,040 1:::\u{301}040 2\n".utf8), directory: "d")
        #expect(csv.first?.numbers.count == 2)
        let card = "BEGIN:VCARD\r\nFN:A\r\nTEL;TYPE=\"work,\u{301}cell\":040 1\r\nEND:VCARD\r\n"
        #expect(try VCardReader.contacts(in: Array(card.utf8), directory: "d").first?.numbers.first?.kinds == ["work", "\u{301}cell"])
    }

    @Test func aMarkAfterTheSpaceOfALabeledURIDoesNotJoinTheLabelToTheURL() throws {
        let query = LDAPQuery(directory: "corp", matcher: NumberMatcher(plan: NumberPlan(countryCode: "49")), template: try LDAPFilterTemplate())
        let entry = LDAPEntry(dn: "uid=a", attributes: ["cn": ["Anna"], "telephoneNumber": ["040 1234567"], "labeledURI": ["https://crm.example/a \u{301}Anna"]])
        #expect(query.contacts(for: "0401234567", in: [entry]).first?.url == "https://crm.example/a")
    }
}
