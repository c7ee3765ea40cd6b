import CallPopCore
import CallPopLookup
import CallPopTestSupport
import Testing

/// Inputs with which the `vcard`, `csv` and `carddav` fuzz targets found a defect
/// (Tests/Fixtures/fuzz/TARGET/), all in their first seconds, on the code as it was: the
/// readers cleaned names but kept numbers and their kinds as written, control characters and
/// all, though `Contact` promises text without them.
@Suite("Lookup fuzz findings")
struct LookupFuzzFindingTests {
    static func isClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains(where: UntrustedText.isRemoved)
    }

    static func expectCleanNumbers(_ contacts: [Contact]) {
        for number in contacts.flatMap(\.numbers) {
            #expect(Self.isClean(number.text), "\(number.text.debugDescription)")
            for kind in number.kinds { #expect(Self.isClean(kind), "\(kind.debugDescription)") }
        }
    }

    /// A Latin-1 file whose number holds bytes 0x8B, read as C1 control characters.
    @Test func aNumberKeepsNoLatin1ControlCharacters() throws {
        let contacts = try VCardReader.contacts(in: try Fixtures.bytes("fuzz/vcard/number-with-latin-1-control-characters"), directory: "d")
        #expect(contacts.first?.numbers.map(\.text) == ["0049 40 30Ï0156"])
        Self.expectCleanNumbers(contacts)
    }

    /// An Outlook export whose phone column holds a quoted field with a line feed.
    @Test func aNumberKeepsNoLineFeed() throws {
        let contacts = try ContactCSVReader.contacts(in: try Fixtures.bytes("fuzz/csv/number-with-a-line-feed"), directory: "d")
        #expect(!contacts.isEmpty)
        Self.expectCleanNumbers(contacts)
    }

    /// A multiget answer whose vCard gives a number the kind `w\u{7F}rk`.
    @Test func aNumbersKindKeepsNoDeleteCharacter() throws {
        let response = try DAVMultistatus(parsing: try Fixtures.bytes("fuzz/carddav/kind-with-a-delete-character"))
        var book = CardDAVAddressBook(directory: "d", collectionPath: "/anna/contacts/")
        book.apply(book.changes(fromSync: response), fetched: response)
        #expect(book.contacts.flatMap(\.numbers).flatMap(\.kinds).contains("wrk"))
        Self.expectCleanNumbers(book.contacts)
    }

    /// Found while writing the targets' checks: a name of nothing but removed characters
    /// made a contact with neither a name nor a number, and hid the organisation behind it.
    @Test func aNameOfOnlyRemovedCharactersIsNoName() throws {
        #expect(try VCardReader.contacts(in: Array("BEGIN:VCARD\nFN:\u{200B}\nEND:VCARD\n".utf8), directory: "d").isEmpty)
        let csv = try ContactCSVReader.contacts(in: Array("name,organization,phone\n\u{1},ACME,040 1\n".utf8), directory: "d")
        #expect(csv.map(\.name) == ["ACME"])
    }

    /// `number-cut-with-its-leading-space`: the contacts read back differently once written as
    /// CSV: a long number after Google's ` ::: ` was cut to the value limit with the space
    /// before it counted, so it lost its last character. Found by the `csv` target in the
    /// cleaning just above, before it was committed.
    @Test func aLongNumberReadsTheSameWhereverItStands() throws {
        let contacts = try ContactCSVReader.contacts(in: try Fixtures.bytes("fuzz/csv/number-cut-with-its-leading-space"), directory: "d")
        let long = try #require(contacts.first?.numbers.last?.text)
        #expect(long.unicodeScalars.count == UntrustedText.valueLimit)
        // The same number after another one, in a quoted field (it holds quotes; it is ASCII).
        let field = "\"0 ::: " + long.replacing("\"", with: "\"\"") + "\""
        let again = try ContactCSVReader.contacts(in: Array("name,phone\nA,\(field)\n".utf8), directory: "d")
        #expect(again.first?.numbers.map(\.text) == ["0", long])
    }

    /// `separator-formed-by-removed-characters`: a field `01::…::\0\0\0:ÿÿ…` was split at
    /// Google's ` ::: ` before its NUL bytes were removed, which left a number `:::ÿÿ…`.
    @Test func noSeparatorIsFormedByTheRemovalOfControlCharacters() throws {
        let contacts = try ContactCSVReader.contacts(in: try Fixtures.bytes("fuzz/csv/separator-formed-by-removed-characters"), directory: "d")
        let numbers = contacts.flatMap(\.numbers).map(\.text)
        #expect(!numbers.isEmpty)
        #expect(!numbers.contains { $0.utf8.firstRange(of: ":::".utf8) != nil }, "\(numbers)")
    }
}
