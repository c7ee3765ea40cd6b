import CallPopCore
import Testing

/// Calls without a number (anonymous, withheld) open no automatic popup unless the rule
/// asks for them; on-click rules are still offered.
@Suite("Calls without a number")
struct NoNumberTests {
    @Test("what counts as no number", arguments: [
        ("", false), ("anonymous", false), ("Anonymous", false), ("<unknown>", false), ("Restricted", false),
        ("sip:anonymous@anonymous.invalid", false), ("  ", false),
        ("0", true), ("+442071234567", true), ("201", true), ("sip:201@pbx", true), ("\u{0663}\u{0664}", true),
    ])
    func hasRemoteNumber(_ number: String, _ expected: Bool) {
        #expect(event("c1", .ringing, number: number).hasRemoteNumber == expected)
    }

    @Test func automaticRulesSkipAndOnClickRulesAreOffered() throws {
        var e = engine([try rule("crm", .incoming, .ringing), try rule("ans", .any, .answer), try rule("ticket", .any, .onClick)])
        let ringing = e.handle(event("c1", .ringing, number: "anonymous", name: ""), at: at(0))
        let answered = e.handle(event("c1", .answered, number: "anonymous", name: ""), at: at(1))
        #expect(summaries([ringing, answered]) == ["ticket offer", "crm skip:no-number", "ans skip:no-number"])
        #expect(ringing.offers.map(\.ruleID) == ["ticket"])
        // The user may still click: the on-click rule runs for the call.
        #expect(e.click(rule: "ticket", call: "c1", at: at(2))?.verdict == .launch)
    }

    @Test func aRuleThatAsksForThemFires() throws {
        var anonymousRule = try rule("log", .incoming, .ringing, url: "https://crm.example.com/log?n={CALLERNUM}")
        anonymousRule.anonymous = true
        var e = engine([anonymousRule, try rule("crm", .incoming, .ringing)])
        let outcome = e.handle(event("c1", .ringing, number: "", name: ""), at: at(0))
        #expect(outcome.decisions.map(summary) == ["log launch", "crm skip:no-number"])
        #expect(outcome.decisions.first?.plan?.url == "https://crm.example.com/log?n=")
    }

    /// The skip is about the number only: a known number still fires, and the order of
    /// reasons stays (a rule for the other direction says direction, not no-number).
    @Test func otherReasonsComeFirst() throws {
        var e = engine([try rule("out", .outgoing, .answer), try rule("crm", .incoming, .ringing, enabled: false)])
        let outcome = e.handle(event("c1", .answered, number: "anonymous"), at: at(0))
        #expect(outcome.decisions.map(summary) == ["out skip:direction"])
        let ringing = e.handle(event("c2", .ringing, number: "anonymous"), at: at(1))
        #expect(ringing.decisions.map(summary) == ["crm skip:disabled"])
    }
}
