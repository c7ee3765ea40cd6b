import CallPopCore
import CallPopLookup
import Foundation
import CallPopTestSupport
import Testing

/// CardDAV parsing and sync against the bytes a real Radicale returns
/// (scripts/test-servers/radicale.sh). The requests go through `curl` as a child process, so
/// only CallPopLookup's request bodies and parsers are under test here; the product's own
/// client (`CardDAVDirectory`) is tested in CallPopDirectoriesTests.
@Suite(.serialized) struct RadicaleTests {
    static let matcher = NumberMatcher(plan: NumberPlan(countryCode: "49"))

    typealias Server = TestRadicale

    static func withServer<T>(_ body: (Server) async throws -> T) async throws -> T? {
        try await TestRadicale.with(body)
    }

    /// A full sync: sync-collection, then multiget of everything it listed.
    static func fullSync(_ server: Server) async throws -> (CardDAVAddressBook, CardDAVChanges) {
        var book = CardDAVAddressBook(directory: "radicale", collectionPath: server.book)
        let changes = book.changes(fromSync: try DAVMultistatus(parsing: try await server.send(.syncCollection(since: nil))))
        let fetched = try DAVMultistatus(parsing: try await server.send(.addressBookMultiget(changes.fetch)))
        #expect(book.apply(changes, fetched: fetched).isEmpty)
        return (book, changes)
    }

    @Test func discoversTheAddressBookAndItsSyncSupport() async throws {
        _ = try await Self.withServer { server in
            let principal = try DAVMultistatus(parsing: try await server.send(.currentUserPrincipal, to: "http://127.0.0.1:\(server.port)/"))
            #expect(principal.responses.first?.principal == "/anna/")
            let home = try DAVMultistatus(parsing: try await server.send(.addressBookHomeSet, to: "http://127.0.0.1:\(server.port)/anna/"))
            #expect(home.responses.first?.addressBookHome == "/anna/")
            let properties = try DAVMultistatus(parsing: try await server.send(.addressBookProperties))
            let book = try #require(properties.responses.first)
            #expect(book.isAddressBook)
            #expect(book.displayName == "Contacts")
            #expect(book.supportsSyncCollection)
            #expect(book.syncToken?.hasPrefix("http://radicale.org/ns/sync/") == true)
        }
    }

    @Test func fullSyncFindsEveryContactByAnyFormOfItsNumber() async throws {
        _ = try await Self.withServer { server in
            let (book, changes) = try await Self.fullSync(server)
            #expect(changes.fetch.count == 305)
            #expect(book.syncToken == changes.newToken && book.syncToken != nil)
            #expect(book.contacts.count == 305)
            let index = ContactIndex(book.contacts, matcher: Self.matcher)
            let anna = index.lookup("0401234567")
            #expect(anna.map(\.name) == ["Anna Alster"])
            #expect(anna.first?.organisation == "Alster GmbH")
            #expect(anna.first?.url == "https://crm.example.com/contacts/anna")
            #expect(anna.first?.id == "anna")
            #expect(index.lookup("+49 171 2345678").map(\.name) == ["Bernd Berg"])
            #expect(index.lookup("+49 40 7654321").first?.organisation == "Berg & Söhne")
            #expect(index.lookup("+49301112223").map(\.name) == ["Clara Client"])
            #expect(index.lookup("00442071234567").first?.organisation == "Fog; Ltd")
            #expect(index.lookup("+49 40 1234568").map(\.name) == ["Gina Grün"])
            for person in 0..<300 {
                let number = 3_000_000 + person
                let name = String(format: "Person %03d", person)
                for form in ["+4940\(number)", "040 \(number)", "0049-40-\(number)", "L0#040\(number)"] {
                    #expect(index.lookup(form).map(\.name) == [name], "\(form)")
                }
            }
            #expect(index.lookup("+49403000300").isEmpty)
            #expect(index.lookup("0401234566").isEmpty)
        }
    }

    @Test func incrementalSyncSeesAdditionsChangesAndDeletions() async throws {
        _ = try await Self.withServer { server in
            var (book, first) = try await Self.fullSync(server)
            let token = try #require(first.newToken)
            try await server.put("new.vcf", "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:new\r\nFN:Nora New\r\nTEL;VALUE=uri:tel:+49-40-9998887\r\nEND:VCARD\r\n")
            try await server.put("anna.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:anna\r\nFN:Anna Alster-Neu\r\nTEL:+49 40 1234567\r\nEND:VCARD\r\n")
            try await server.delete("gina.vcf")

            let report = try DAVMultistatus(parsing: try await server.send(.syncCollection(since: token)))
            let changes = book.changes(fromSync: report)
            #expect(Set(changes.fetch.map { $0.split(separator: "/").last.map(String.init) ?? "" }) == ["new.vcf", "anna.vcf"])
            #expect(changes.deleted.map { $0.split(separator: "/").last.map(String.init) ?? "" } == ["gina.vcf"])
            #expect(changes.newToken != token)
            let fetched = try DAVMultistatus(parsing: try await server.send(.addressBookMultiget(changes.fetch)))
            #expect(book.apply(changes, fetched: fetched).isEmpty)
            let index = ContactIndex(book.contacts, matcher: Self.matcher)
            #expect(index.lookup("040 999 88 87").map(\.name) == ["Nora New"])
            #expect(index.lookup("040 1234567").map(\.name) == ["Anna Alster-Neu"])
            #expect(index.lookup("040 1234568").isEmpty)
            #expect(book.contacts.count == 305)

            // Nothing changed since: an empty sync.
            let again = book.changes(fromSync: try DAVMultistatus(parsing: try await server.send(.syncCollection(since: book.syncToken))))
            #expect(again.isEmpty)
            // The ETag listing (servers without sync-collection) agrees with the mirror.
            #expect(book.changes(fromListing: try DAVMultistatus(parsing: try await server.send(.memberETags))).isEmpty)
        }
    }

    @Test func anInvalidTokenIsRefusedByTheServerAndAResetRecovers() async throws {
        _ = try await Self.withServer { server in
            var (book, _) = try await Self.fullSync(server)
            let refused = try await server.send(.syncCollection(since: "http://radicale.org/ns/sync/bogus"))
            // Radicale answers 403 with a DAV:error body, not a multistatus.
            #expect(throws: LookupError.self) { try DAVMultistatus(parsing: refused) }
            book.resetSyncToken()
            let full = book.changes(fromSync: try DAVMultistatus(parsing: try await server.send(.syncCollection(since: book.syncToken))))
            #expect(full.fetch.isEmpty, "a full listing refetches nothing whose ETag is known")
            #expect(full.newToken != nil)
        }
    }
}

extension TestRadicale {
    /// Sends `request` (its method, depth and body) with curl; the response body.
    func send(_ request: CardDAVRequest, to url: String? = nil) async throws -> [UInt8] {
        let body = directory + "/request-\(UUID().uuidString.prefix(8)).xml"
        try Data(request.body.utf8).write(to: URL(fileURLWithPath: body))
        return try await curl(["-X", request.method, "-H", "Depth: \(request.depth)", "-H", "Content-Type: \(CardDAVRequest.contentType)",
                               "--data-binary", "@" + body, url ?? book])
    }
}
