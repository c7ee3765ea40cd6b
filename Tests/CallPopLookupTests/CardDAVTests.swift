import CallPopCore
import CallPopLookup
import CallPopXML
import Foundation
import CallPopTestSupport
import Testing

@Suite struct CardDAVTests {
    /// A Nextcloud-style sync-collection answer: absolute URLs, `d:` prefix, a deletion.
    static let syncResponse = Array("""
        <?xml version="1.0"?>
        <d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:card="urn:ietf:params:xml:ns:carddav">
         <d:response><d:href>/remote.php/dav/addressbooks/users/anna/contacts/a.vcf</d:href>
          <d:propstat><d:prop><d:getetag>&quot;e1&quot;</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
         <d:response><d:href>https://cloud.example.com/remote.php/dav/addressbooks/users/anna/contacts/b%40x.vcf</d:href>
          <d:propstat><d:prop><d:getetag>"e2"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
         <d:response><d:href>/remote.php/dav/addressbooks/users/anna/contacts/gone.vcf</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
         <d:sync-token>http://sabre.io/ns/sync/7</d:sync-token>
        </d:multistatus>
        """.utf8)

    static func multiget(_ cards: [(href: String, etag: String, vcard: String)], missing: [String] = []) -> [UInt8] {
        let found = cards.map { """
            <D:response><D:href>\($0.href)</D:href><D:propstat><D:prop><D:getetag>\($0.etag)</D:getetag>\
            <C:address-data>\(XMLEscaping.text($0.vcard))</C:address-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
            """ }.joined()
        let gone = missing.map { "<D:response><D:href>\($0)</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>" }.joined()
        return Array("<D:multistatus xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:carddav\">\(found)\(gone)</D:multistatus>".utf8)
    }

    @Test func requestBodiesAreWellFormedAndEscapeWhatTheyCarry() throws {
        let requests = [
            CardDAVRequest.addressBookProperties, .memberETags, .currentUserPrincipal, .addressBookHomeSet,
            .syncCollection(since: nil), .syncCollection(since: "http://x/sync?a=1&b=<2>"),
            .addressBookMultiget(["/a b.vcf", "/c&d.vcf", "/\u{1}e.vcf"]),
        ]
        for request in requests {
            var reader = try XMLReader(Array(request.body.utf8), limits: XMLLimits(maxBytes: 65536, maxDepth: 8, maxElements: 100, maxAttributes: 8))
            var texts: [String] = []
            while let event = try reader.next() { if case .text(let text) = event { texts.append(text) } }
            if request.body.contains("sync?a=1") { #expect(texts.contains("http://x/sync?a=1&b=<2>")) }
            if request.body.contains("multiget") { #expect(texts == ["/a b.vcf", "/c&d.vcf", "/e.vcf"]) }
        }
        #expect(CardDAVRequest.syncCollection(since: nil).depth == "0")
        #expect(CardDAVRequest.syncCollection(since: nil).body.contains("<d:sync-token/>"))
        #expect(CardDAVRequest.addressBookMultiget([]).method == "REPORT")
    }

    /// Found by reading: `Int` reads a sign, so `-12` passed for a three-digit code.
    @Test func aStatusCodeIsThreeDigits() throws {
        let body = "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/a.vcf</d:href><d:status>HTTP/1.1 -12 X</d:status></d:response></d:multistatus>"
        #expect(try DAVMultistatus(parsing: Array(body.utf8)).responses.first?.status == nil)
    }

    @Test func parsesSyncCollectionResponses() throws {
        let response = try DAVMultistatus(parsing: Self.syncResponse)
        #expect(response.syncToken == "http://sabre.io/ns/sync/7")
        #expect(response.responses.map(\.etag) == ["\"e1\"", "\"e2\"", nil])
        #expect(response.responses.map(\.status) == [nil, nil, 404])
    }

    @Test func syncsIncrementallyAndAdvancesTheTokenOnlyWhenEverythingArrived() throws {
        let collection = "https://cloud.example.com/remote.php/dav/addressbooks/users/anna/contacts/"
        var book = CardDAVAddressBook(directory: "nextcloud", collectionPath: collection)
        let changes = book.changes(fromSync: try DAVMultistatus(parsing: Self.syncResponse))
        #expect(changes.fetch == ["/remote.php/dav/addressbooks/users/anna/contacts/a.vcf",
                                  "https://cloud.example.com/remote.php/dav/addressbooks/users/anna/contacts/b%40x.vcf"])
        #expect(changes.deleted.isEmpty, "an unknown member's deletion is nothing to do")
        #expect(changes.newToken == "http://sabre.io/ns/sync/7")

        // Only a.vcf arrives: keep the old token so the next sync reports b again.
        let partial = try DAVMultistatus(parsing: Self.multiget([
            ("/remote.php/dav/addressbooks/users/anna/contacts/a.vcf", "\"e1\"", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna\r\nTEL:+49 40 1234567\r\nEND:VCARD\r\n"),
        ]))
        #expect(book.apply(changes, fetched: partial) == ["https://cloud.example.com/remote.php/dav/addressbooks/users/anna/contacts/b%40x.vcf"])
        #expect(book.syncToken == nil)
        // The retry fetches only b (a's ETag is known now), and b's vCard 4 arrives.
        let retry = book.changes(fromSync: try DAVMultistatus(parsing: Self.syncResponse))
        #expect(retry.fetch == ["https://cloud.example.com/remote.php/dav/addressbooks/users/anna/contacts/b%40x.vcf"])
        let rest = try DAVMultistatus(parsing: Self.multiget([
            ("/remote.php/dav/addressbooks/users/anna/contacts/b@x.vcf", "\"e2\"", "BEGIN:VCARD\nVERSION:4.0\nFN:Bob <&>\nTEL;VALUE=uri:tel:+49-30-7654321\nEND:VCARD\n"),
        ]))
        #expect(book.apply(retry, fetched: rest).isEmpty)
        #expect(book.syncToken == "http://sabre.io/ns/sync/7")
        let index = ContactIndex(book.contacts, matcher: NumberMatcher(plan: NumberPlan(countryCode: "49")))
        #expect(index.lookup("0401234567").map(\.name) == ["Anna"])
        #expect(index.lookup("030 765 43 21").map(\.name) == ["Bob <&>"])

        // Later: a is deleted, b changes.
        let later = try DAVMultistatus(parsing: Array("""
            <multistatus xmlns="DAV:"><response><href>/remote.php/dav/addressbooks/users/anna/contacts/a.vcf</href>\
            <status>HTTP/1.1 404 Not Found</status></response><response><href>/remote.php/dav/addressbooks/users/anna/contacts/b%40x.vcf</href>\
            <propstat><prop><getetag>"e3"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>\
            <sync-token>http://sabre.io/ns/sync/9</sync-token></multistatus>
            """.utf8))
        let next = book.changes(fromSync: later)
        #expect(next.deleted == ["/remote.php/dav/addressbooks/users/anna/contacts/a.vcf"])
        book.apply(next, fetched: try DAVMultistatus(parsing: Self.multiget([
            ("/remote.php/dav/addressbooks/users/anna/contacts/b%40x.vcf", "\"e3\"", "BEGIN:VCARD\nFN:Bob Renamed\nTEL:030 7654321\nEND:VCARD\n"),
        ])))
        #expect(book.contacts.map(\.name) == ["Bob Renamed"])
        #expect(book.syncToken == "http://sabre.io/ns/sync/9")
    }

    @Test func aTruncatedSyncKeepsTheTokenBackAndAListingFindsDeletions() throws {
        var book = CardDAVAddressBook(directory: "d", collectionPath: "/ab/")
        let truncated = try DAVMultistatus(parsing: Array("""
            <d:multistatus xmlns:d="DAV:"><d:response><d:href>/ab/1.vcf</d:href><d:propstat><d:prop><d:getetag>1</d:getetag></d:prop>\
            <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:response><d:href>/ab/</d:href>\
            <d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response><d:sync-token>t1</d:sync-token></d:multistatus>
            """.utf8))
        let changes = book.changes(fromSync: truncated)
        #expect(changes.truncated)
        book.apply(changes, fetched: try DAVMultistatus(parsing: Self.multiget([("/ab/1.vcf", "1", "BEGIN:VCARD\nFN:One\nEND:VCARD\n")])))
        #expect(book.syncToken == nil)
        let listing = try DAVMultistatus(parsing: Array("""
            <d:multistatus xmlns:d="DAV:"><d:response><d:href>/ab/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/>\
            <card:addressbook xmlns:card="urn:ietf:params:xml:ns:carddav"/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>\
            <d:response><d:href>/ab/2.vcf</d:href><d:propstat><d:prop><d:getetag>2</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>\
            </d:multistatus>
            """.utf8))
        #expect(listing.responses.first?.isAddressBook == true)
        let fromListing = book.changes(fromListing: listing)
        #expect(fromListing.fetch == ["/ab/2.vcf"])
        #expect(fromListing.deleted == ["/ab/1.vcf"])
    }

    @Test func readsDiscoveryProperties() throws {
        let principal = try DAVMultistatus(parsing: Array("""
            <d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:response><d:href>/</d:href><d:propstat><d:prop>\
            <d:current-user-principal><d:href>/principals/anna/</d:href></d:current-user-principal>\
            <c:addressbook-home-set><d:href>/anna/</d:href></c:addressbook-home-set><d:sync-token>st</d:sync-token><d:displayname>Book</d:displayname>\
            <d:supported-report-set><d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report></d:supported-report-set>\
            </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat><d:propstat><d:prop><d:getetag>ignored</d:getetag></d:prop>\
            <d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response></d:multistatus>
            """.utf8))
        let response = try #require(principal.responses.first)
        #expect(response.principal == "/principals/anna/")
        #expect(response.addressBookHome == "/anna/")
        #expect(response.syncToken == "st")
        #expect(response.displayName == "Book")
        #expect(response.supportsSyncCollection)
        #expect(response.etag == nil, "properties of a failed propstat are not taken")
    }

    @Test(arguments: [
        "<html><body>Login</body></html>", "", "<d:multistatus xmlns:d=\"DAV:\">", "<!DOCTYPE x><d:multistatus xmlns:d=\"DAV:\"/>",
        "<d:multistatus>", "{\"json\":true}",
    ])
    func refusesWhatIsNotAMultistatus(body: String) {
        #expect(throws: LookupError.self) { try DAVMultistatus(parsing: Array(body.utf8)) }
    }

    @Test func survivesMutatedResponses() {
        var generator = SplitMix64(seed: 0xDA7)
        var parsed = 0
        for _ in 0..<4000 {
            let bytes = ByteMutator.mutate(Self.syncResponse, alphabet: ByteMutator.markupAlphabet, using: &generator)
            guard let response = try? DAVMultistatus(parsing: bytes) else { continue }
            parsed += 1
            var book = CardDAVAddressBook(directory: "f", collectionPath: "/")
            book.apply(book.changes(fromSync: response), fetched: response)
        }
        #expect(parsed > 300)
    }
}

extension CardDAVTests {
    @Test func theMirrorSurvivesARestartThroughItsEncoding() throws {
        var book = CardDAVAddressBook(directory: "d", collectionPath: "https://h/ab/")
        let changes = book.changes(fromSync: try DAVMultistatus(parsing: Array("""
            <d:multistatus xmlns:d="DAV:"><d:response><d:href>/ab/1.vcf</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop>\
            <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:sync-token>t1</d:sync-token></d:multistatus>
            """.utf8)))
        book.apply(changes, fetched: try DAVMultistatus(parsing: Self.multiget([("/ab/1.vcf", "\"1\"", "BEGIN:VCARD\nFN:One\nTEL:+49 40 1\nEND:VCARD\n")])))
        let restored = try JSONDecoder().decode(CardDAVAddressBook.self, from: JSONEncoder().encode(book))
        #expect(restored.syncToken == "t1")
        #expect(restored.contacts == book.contacts)
        #expect(restored.etags == ["/ab/1.vcf": "\"1\""])
        #expect(restored.collectionPath == "/ab")
    }
}
