import CallPopCore
import CallPopLookup
import Testing

@Suite struct ContactIndexTests {
    @Test func eachContactOnceExactMatchesFirstAndNothingForNonNumbers() {
        let matcher = NumberMatcher(plan: NumberPlan(countryCode: ""))
        let index = ContactIndex([
            Contact(name: "Tail only", directory: "a", numbers: [ContactNumber("040 1234567")]),
            Contact(name: "Twice", directory: "a", numbers: [ContactNumber("+49 40 1234567"), ContactNumber("0049401234567")]),
            Contact(name: "No number", directory: "a"),
            Contact(name: "Other", directory: "b", numbers: [ContactNumber("+49 30 1234567")]),
        ], matcher: matcher)
        // Without a country only the international entries have E.164: they come first.
        #expect(index.lookup("+49401234567").map(\.name) == ["Twice", "Tail only"])
        #expect(index.lookup("anonymous").isEmpty)
        #expect(index.lookup("").isEmpty)
        #expect(index.contacts.count == 4)
    }

    @Test func addingKeepsEarlierContactsFindable() {
        var index = ContactIndex(matcher: NumberMatcher(plan: NumberPlan(countryCode: "44")))
        index.add(Contact(name: "London", directory: "f", numbers: [ContactNumber("020 7123 4567")]))
        index.add(Contact(name: "Extension", directory: "f", numbers: [ContactNumber("201")]))
        #expect(index.lookup("+44 20 7123 4567").map(\.name) == ["London"])
        #expect(index.lookup("201").map(\.name) == ["Extension"])
        #expect(index.lookup("2201").isEmpty)
    }
}
