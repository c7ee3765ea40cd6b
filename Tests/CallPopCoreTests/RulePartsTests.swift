import CallPopCore
import Testing

@Suite("Rule ids and number patterns")
struct RulePartsTests {
    @Test func slugs() {
        #expect(PopupRule.slug("New ticket") == "new-ticket")
        #expect(PopupRule.slug("  CRM -- lookup (UK)!  ") == "crm-lookup-uk")
        #expect(PopupRule.slug("Zo\u{EB}'s CRM") == "zo-s-crm")
        #expect(PopupRule.slug("") == "rule")
        #expect(PopupRule.slug("!!!") == "rule")
    }

    @Test func patternsMatchWholeNumbersIgnoringSeparators() throws {
        func p(_ s: String) throws -> NumberPattern { try #require(NumberPattern(s)) }
        #expect(try p("5550100").matches("5550100"))
        #expect(try !p("5550100").matches("55501000"))
        #expect(try !p("5550100").matches("555010"))
        #expect(try p("+44207*").matches("+44 20 7123-4567"))
        #expect(try p("+44 (20) 7*").matches("+442071234567"))
        #expect(try p("2XX").matches("201") && p("2xx").matches("299"))
        #expect(try !p("2XX").matches("2a1") && !p("2XX").matches("2011"))
        #expect(try p("5?5").matches("5a5") && !p("5?5").matches("55"))
        #expect(try p("*").matches("") && p("*").matches("anything"))
        #expect(try p("*100").matches("5550100") && !p("*100").matches("5550101"))
        #expect(try p("1*2*3").matches("1xx2yy3") && !p("1*2*3").matches("1xx3yy2"))
        #expect(NumberPattern("") == nil && NumberPattern(" - ") == nil)
        #expect(try p("+44 *").description == "+44 *")
    }

    @Test func globIsNotExponential() throws {
        let pattern = try #require(NumberPattern(String(repeating: "*1", count: 30) + "2"))
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!pattern.matches(String(repeating: "1", count: 256))) }
        #expect(elapsed < .seconds(1))
    }

    @Test func colleaguePolicy() throws {
        let byLength = ColleaguePolicy()
        #expect(byLength.sameLengthAsUser && byLength.patterns.isEmpty)
        #expect(byLength.isColleague("202", userNumber: "201"))
        #expect(!byLength.isColleague("2021", userNumber: "201"))
        #expect(!byLength.isColleague("*21", userNumber: "201"))
        #expect(!byLength.isColleague("", userNumber: ""))
        #expect(!byLength.isColleague("202", userNumber: ""))
        let listed = ColleaguePolicy(patterns: [try #require(NumberPattern("+4420794600XX"))], sameLengthAsUser: false)
        #expect(listed.isColleague("+44 20 7946 0012", userNumber: "201"))
        #expect(!listed.isColleague("202", userNumber: "201"))
    }
}
