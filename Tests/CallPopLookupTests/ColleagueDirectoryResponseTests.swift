import CallPopLookup
import CallPopTestSupport
import Testing

/// A colleague directory's answer: a plain array, or the Wildix `GET /api/v1/Colleagues/` shape.
@Suite struct ColleagueDirectoryResponseTests {
    @Test("the Wildix shape: extension, officePhone and mobilePhone of each record; wildcards never pass")
    func wildix() throws {
        let listing = try ColleagueDirectoryResponse.listing(in: try Fixtures.bytes("wildix/colleagues.json"))
        #expect(listing.numbers == ["201", "+44 20 7946 0201", "+447700900201", "202", "+447700900202", "203", "+44 (0)20 7946 0999"])
        #expect(listing.listed == 4 && listing.total == 4)
    }

    @Test("a short page says so")
    func shortPage() throws {
        let listing = try ColleagueDirectoryResponse.listing(in: Array(#"{"result":{"records":[{"extension":"201"}],"total":57}}"#.utf8))
        #expect(listing.numbers == ["201"] && listing.listed == 1 && listing.total == 57)
    }

    @Test("a plain array of numbers, strings or JSON numbers, duplicates once")
    func array() throws {
        #expect(try ColleagueDirectoryResponse.numbers(in: Array(#"["201", 202, "201", " +442079460000 ", "", "abc", "1*"]"#.utf8))
            == ["201", "202", "+442079460000"])
    }

    @Test("other shapes and garbage are refused; seeded mutations never crash")
    func refusals() throws {
        for body in [#"{"records": []}"#, "42", "\"201\"", "not json", #"{"result": {"records": 5}}"#] {
            #expect(throws: LookupError.self) { try ColleagueDirectoryResponse.numbers(in: Array(body.utf8)) }
        }
        let good = try Fixtures.bytes("wildix/colleagues.json")
        var generator = SplitMix64(seed: 0xC011)
        for _ in 0..<1000 {
            let mutated = ByteMutator.mutate(good, alphabet: Array("{}[]\":,0123456789+*X ".utf8), edits: 3, using: &generator)
            if let numbers = try? ColleagueDirectoryResponse.numbers(in: mutated) {
                #expect(numbers.allSatisfy { !$0.contains("*") && !$0.contains("X") && !$0.contains("?") })
            }
        }
    }
}
