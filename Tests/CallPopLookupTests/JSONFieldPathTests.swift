import CallPopLookup
import CallPopTestSupport
import Testing

@Suite struct JSONFieldPathTests {
    static let wildix = Array("""
        {"type":"result","result":{"total":2,"records":[
          {"id":4711,"name":"Hans M\\u00fcller","company":{"name":"ACME"},"url":"https://crm.example/c/4711","phone":4940123456,"vip":true,"score":1.5},
          {"id":"x2","name":null,"display name":"Second"}
        ]}}
        """.utf8)

    @Test(arguments: [
        ("result.records[0].name", "Hans Müller"),
        ("result.records[0].company.name", "ACME"),
        ("result.records[0].id", "4711"),
        ("result.records[0].phone", "4940123456"),
        ("result.records[0].vip", "true"),
        ("result.records[0].score", "1.5"),
        ("result.records[-1][\"display name\"]", "Second"),
        ("result.total", "2"),
    ])
    func extractsScalars(path: String, expected: String) throws {
        let root = try JSONValue(parsing: Self.wildix)
        #expect(try JSONFieldPath(path).text(in: root) == expected)
    }

    @Test(arguments: ["result.records[1].name", "result.records[2].name", "result.records", "missing", "result.records[0].name.first", "result[0]"])
    func missingNullOrNonScalarIsNil(path: String) throws {
        #expect(try JSONFieldPath(path).text(in: JSONValue(parsing: Self.wildix)) == nil)
    }

    @Test func readsATopLevelArray() throws {
        let root = try JSONValue(parsing: Array(#"[{"name":"A"}]"#.utf8))
        #expect(try JSONFieldPath("[0].name").text(in: root) == "A")
    }

    @Test(arguments: [
        ("", 1, "empty"), ("a..b", 2, "separate two names"), (".a", 1, "separate"), ("a[", 3, "unclosed ["),
        ("a[x]", 3, "a number or a quoted key"), ("a[\"b]", 3, "unclosed [\""), ("a.", 2, "separate"), ("a]b", 2, "unexpected ]"),
        ("a[0]b", 5, "expected . before a name"),
    ])
    func refusesBadPathsWithAColumn(path: String, column: Int, message: String) {
        do {
            _ = try JSONFieldPath(path)
            Issue.record("accepted \(path)")
        } catch {
            #expect(error.code == .invalidFieldPath)
            #expect(error.column == column, "\(path): \(error)")
            #expect(error.message.contains(message), "\(path): \(error)")
        }
    }

    @Test func contactFieldsBuildAContactAndTreatAMissingNameAsNotFound() throws {
        let fields = JSONContactFields(
            name: try JSONFieldPath("result.records[0].name"), organisation: try JSONFieldPath("result.records[0].company.name"),
            url: try JSONFieldPath("result.records[0].url"), id: try JSONFieldPath("result.records[0].id"))
        let contact = try #require(try fields.contact(in: Self.wildix, directory: "crm"))
        #expect(contact == Contact(name: "Hans Müller", organisation: "ACME", url: "https://crm.example/c/4711", id: "4711", directory: "crm"))
        #expect(try fields.contact(in: Array(#"{"result":{"records":[]}}"#.utf8), directory: "crm") == nil)
        #expect(throws: LookupError.self) { try fields.contact(in: Array("<html>502</html>".utf8), directory: "crm") }
    }

    @Test func survivesGarbageDeepNestingAndHugeInput() {
        var generator = SplitMix64(seed: 0x150)
        let alphabet = Array("{}[]\":,0123456789.eE+-truefalsenull \\u".utf8) + [0xFF, 0x00]
        var parsed = 0
        for round in 0..<5000 {
            let bytes = round % 4 == 0
                ? ByteMutator.random(count: Int.random(in: 0...200, using: &generator), using: &generator)
                : ByteMutator.mutate(Self.wildix, alphabet: alphabet, edits: 2, using: &generator)
            if (try? JSONValue(parsing: bytes)) != nil { parsed += 1 }
        }
        #expect(parsed > 200)
        let deep = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        #expect(throws: LookupError.self) { try JSONValue(parsing: deep) }
        #expect(throws: LookupError.self) { try JSONValue(parsing: [UInt8](repeating: 0x20, count: JSONValue.maximumBytes + 1)) }
    }
}
