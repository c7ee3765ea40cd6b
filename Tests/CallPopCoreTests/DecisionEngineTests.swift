import CallPopCore
import Testing

@Suite("Decision engine")
struct DecisionEngineTests {
    @Test func eachRuleFiresOncePerCall() throws {
        var e = engine([try rule("ring", .incoming, .ringing), try rule("ans", .any, .answer)])
        var outcomes: [DecisionEngine.Outcome] = []
        for (i, state) in [CallState.ringing, .ringing, .ringing, .answered, .answered, .ended, .answered, .ringing, .ended].enumerated() {
            outcomes.append(e.handle(event("c1", state), at: at(Double(i))))
        }
        #expect(summaries(outcomes) == ["ring launch", "ans launch", "ans skip:already-fired"])
        #expect(outcomes[1].decisions.isEmpty && outcomes[2].decisions.isEmpty && outcomes[4].decisions.isEmpty)
    }

    @Test func aMissedCallReplayedAfterItsEndDoesNotRingAgain() throws {
        var e = engine([try rule("ring", .incoming, .ringing)])
        let outcomes = [
            e.handle(event("c1", .ringing), at: at(0)), e.handle(event("c1", .ended), at: at(1)),
            e.handle(event("c1", .ringing), at: at(2)),
        ]
        #expect(summaries(outcomes) == ["ring launch", "ring skip:already-fired"])
    }

    @Test func eachCallFiresItsOwnRules() throws {
        var e = engine([try rule("ring", .incoming, .ringing)])
        let outcomes = ["a", "b", "a", "b"].enumerated().map { e.handle(event($0.element, .ringing), at: at(Double($0.offset))) }
        #expect(outcomes.map { $0.decisions.map(\.callID) } == [["a"], ["b"], [], []])
    }

    @Test("trigger and direction matrix", arguments: [
        (CallState.ringing, CallDirection.incoming, ["click offer", "ring launch"]),
        (.ringing, .outgoing, ["click offer", "gen launch"]),
        (.answered, .incoming, ["click offer", "ans-in launch", "ans-out skip:direction", "ans-any launch"]),
        (.answered, .outgoing, ["click offer", "ans-in skip:direction", "ans-out launch", "ans-any launch"]),
        (.ended, .incoming, []),
    ])
    func matrix(_ state: CallState, _ direction: CallDirection, _ expected: [String]) throws {
        var e = engine([
            try rule("ring", .incoming, .ringing), try rule("gen", .outgoing, .callGeneration),
            try rule("ans-in", .incoming, .answer), try rule("ans-out", .outgoing, .answer),
            try rule("ans-any", .any, .answer), try rule("click", .any, .onClick),
        ])
        let outcome = e.handle(event("c1", state, direction), at: at(0))
        #expect(outcome.decisions.map(summary) == expected)
    }

    @Test func firstSeenAnsweredFiresAnswerNotRinging() throws {
        var e = engine([try rule("ring", .incoming, .ringing), try rule("ans", .incoming, .answer)])
        let outcomes = [e.handle(event("c1", .answered), at: at(0)), e.handle(event("c1", .ringing), at: at(1))]
        #expect(summaries(outcomes) == ["ans launch"])
    }

    @Test func answeredElsewhereGivesNoAnswer() throws {
        var e = engine([try rule("ring", .incoming, .ringing), try rule("ans", .incoming, .answer)])
        let ring = e.handle(event("c1", .ringing), at: at(0))
        let end = e.handle(event("c1", .ended, answeredElsewhere: true), at: at(1))
        #expect(summaries([ring, end]) == ["ring launch"])
        #expect(end.call?.event.answeredElsewhere == true)
        #expect(end.call?.wasAnswered == false)
        #expect(e.liveCalls.isEmpty)
    }

    @Test func colleaguesGetNoAutomaticPopupsButKeepOnClickOffers() throws {
        var e = engine([try rule("ring", .incoming, .ringing), try rule("ans", .any, .answer), try rule("click", .any, .onClick)])
        let ring = e.handle(event("c1", .ringing, colleague: true), at: at(0))
        let ans = e.handle(event("c1", .answered), at: at(1))
        #expect(summaries([ring, ans]) == ["click offer", "ring skip:colleague", "ans skip:colleague"])
        #expect(ans.offers.map(summary) == ["click offer"])
        #expect(ring.offers.first?.plan?.url == "https://crm.example.com/search?number=%2B442071234567")
        // Offers are decided without expanding their targets; a decision log gets them expanded.
        #expect(ring.decisions.first?.plan == nil)
        #expect(ring.decisionsShowingOffers.map(summary) == ["click offer", "ring skip:colleague"])
        #expect(ring.decisionsShowingOffers.first?.plan?.url == "https://crm.example.com/search?number=%2B442071234567")
        // The offer can be clicked: clicks are the user's choice.
        #expect(e.click(rule: "click", call: "c1", at: at(2)).map(summary) == "click launch")
    }

    @Test func sameLengthAsTheUsersExtensionIsAColleagueByDefault() throws {
        var e = engine([try rule("ring", .incoming, .ringing)])
        #expect(e.handle(event("c1", .ringing, number: "202"), at: at(0)).decisions.map(summary) == ["ring skip:colleague"])
        #expect(e.handle(event("c2", .ringing, number: "2 0 3"), at: at(0)).decisions.map(summary) == ["ring skip:colleague"])
        #expect(e.handle(event("c3", .ringing, number: "2020"), at: at(0)).decisions.map(summary) == ["ring launch"])
        #expect(e.handle(event("c4", .ringing, number: "+44"), at: at(0)).decisions.map(summary) == ["ring launch"])
        // The event's own flag wins over the length rule.
        #expect(e.handle(event("c5", .ringing, number: "204", colleague: false), at: at(0)).decisions.map(summary) == ["ring launch"])
    }

    @Test func colleaguePatterns() throws {
        let policy = ColleaguePolicy(patterns: [try #require(NumberPattern("+44 20 7946 *"))], sameLengthAsUser: false)
        var e = engine([try rule("ring", .incoming, .ringing)], colleagues: policy)
        #expect(e.handle(event("c1", .ringing, number: "+442079460000"), at: at(0)).decisions.map(summary) == ["ring skip:colleague"])
        #expect(e.handle(event("c2", .ringing, number: "202"), at: at(0)).decisions.map(summary) == ["ring launch"])
        #expect(e.handle(event("c3", .ringing, number: "+442071234567"), at: at(0)).decisions.map(summary) == ["ring launch"])
    }

    @Test func rateLimitAllowsTenPerMinuteWithASlidingWindow() throws {
        #expect(RuleSet(user: ukUser, rules: []).launchesPerMinute == 10)
        var e = engine([try rule("ring", .incoming, .ringing)])
        var verdicts: [String] = []
        for i in 0..<11 { verdicts += e.handle(event("c\(i)", .ringing), at: at(Double(i))).decisions.map(summary) }
        #expect(verdicts == Array(repeating: "ring launch", count: 10) + ["ring skip:rate-limit"])
        let limited = e.handle(event("x", .ringing), at: at(59.999)).decisions
        #expect(limited.map(summary) == ["ring skip:rate-limit"])
        #expect(limited.first?.plan == nil)
        // The launch at 0 s leaves the window at 60 s, the one at 1 s at 61 s.
        #expect(e.handle(event("y", .ringing), at: at(60)).decisions.map(summary) == ["ring launch"])
        #expect(e.handle(event("z", .ringing), at: at(60.5)).decisions.map(summary) == ["ring skip:rate-limit"])
        #expect(e.handle(event("w", .ringing), at: at(61)).decisions.map(summary) == ["ring launch"])
    }

    @Test func rateLimitZeroMeansNoLimit() throws {
        var e = engine([try rule("ring", .incoming, .ringing)], perMinute: 0)
        let launches = (0..<100).flatMap { e.handle(event("c\($0)", .ringing), at: at(0)).decisions }.filter { $0.verdict == .launch }
        #expect(launches.count == 100)
    }

    @Test func rateLimiterAlone() {
        var limiter = RateLimiter(perMinute: 2)
        #expect([at(0), at(1), at(2), at(60), at(60.5), at(61)].map { limiter.admit(at: $0) } == [true, true, false, true, false, true])
    }

    @Test func clicksWorkAfterTheEndAndNotForUnknownCalls() throws {
        var e = engine([try rule("click", .any, .onClick), try rule("off", .any, .onClick, enabled: false)])
        _ = e.handle(event("c1", .ringing), at: at(0))
        _ = e.handle(event("c1", .ended), at: at(1))
        let clicked = e.click(rule: "click", call: "c1", at: at(2))
        let click = try #require(clicked)
        #expect(click.verdict == .launch && click.trigger == .onClick)
        #expect(click.plan?.argv == ["xdg-open", "https://crm.example.com/search?number=%2B442071234567"])
        // No once-per-call limit on clicks; the rule is also found by name.
        #expect(e.click(rule: "click", call: "c1", at: at(3)).map(summary) == "click launch")
        #expect(e.click(rule: "off", call: "c1", at: at(4)).map(summary) == "off skip:disabled")
        #expect(e.click(rule: "click", call: "unknown", at: at(5)) == nil)
        #expect(e.click(rule: "no-such-rule", call: "c1", at: at(5)) == nil)
    }

    @Test func clickByRuleName() throws {
        var e = engine([try rule("Open CRM!", .any, .onClick)])
        _ = e.handle(event("c1", .ringing), at: at(0))
        #expect(e.click(rule: "Open CRM!", call: "c1", at: at(1)).map(summary) == "open-crm launch")
        #expect(e.click(rule: "open-crm", call: "c1", at: at(1)).map(summary) == "open-crm launch")
    }

    @Test func clicksAreRateLimitedToo() throws {
        var e = engine([try rule("click", .any, .onClick)], perMinute: 1)
        _ = e.handle(event("c1", .ringing), at: at(0))
        #expect(e.click(rule: "click", call: "c1", at: at(1)).map(summary) == "click launch")
        let limited = e.click(rule: "click", call: "c1", at: at(2))
        #expect(limited.map(summary) == "click skip:rate-limit")
        // Like an automatic skip, it shows no argv: nothing runs.
        #expect(limited?.plan == nil)
        #expect(limited?.line == "skip on-click \"click\" for incoming call c1 \"John Doe\" <+442071234567>: rate-limit")
    }

    @Test func numberFilters() throws {
        var e = engine([
            try rule("sales", .incoming, .ringing, called: ["5550100", "555 01 1X"]),
            try rule("uk", .incoming, .ringing, remote: ["+44*"]),
        ])
        #expect(e.handle(event("c1", .ringing, number: "+442071234567", called: "5550100"), at: at(0)).decisions.map(summary)
            == ["sales launch", "uk launch"])
        #expect(e.handle(event("c2", .ringing, number: "+493012345678", called: "5550199"), at: at(0)).decisions.map(summary)
            == ["sales skip:called-number", "uk skip:remote-number"])
        // National forms match an E.164 pattern; the called-number pattern takes X for a digit.
        #expect(e.handle(event("c3", .ringing, number: "02071234567", called: "5550117"), at: at(0)).decisions.map(summary)
            == ["sales launch", "uk launch"])
        #expect(e.handle(event("c4", .ringing, number: "", called: ""), at: at(0)).decisions.map(summary)
            == ["sales skip:called-number", "uk skip:remote-number"])
    }

    @Test func filteredOnClickRulesAreNotOffered() throws {
        var e = engine([try rule("sales", .any, .onClick, called: ["5550100"])])
        #expect(e.handle(event("c1", .ringing, called: "5550100"), at: at(0)).offers.map(summary) == ["sales offer"])
        #expect(e.handle(event("c2", .ringing, called: "5550200"), at: at(0)).offers.isEmpty)
        #expect(e.handle(event("c3", .ringing, .outgoing), at: at(0)).offers.map(summary) == ["sales offer"])
        var incomingOnly = engine([try rule("in", .incoming, .onClick)])
        #expect(incomingOnly.handle(event("c4", .ringing, .outgoing), at: at(0)).offers.isEmpty)
        #expect(incomingOnly.handle(event("c5", .ringing, .incoming), at: at(0)).offers.map(summary) == ["in offer"])
    }

    @Test func disabledRulesNeverFireNorAreOffered() throws {
        var e = engine([try rule("ring", .incoming, .ringing, enabled: false), try rule("click", .any, .onClick, enabled: false)])
        let outcome = e.handle(event("c1", .ringing), at: at(0))
        #expect(outcome.decisions.map(summary) == ["ring skip:disabled"])
        #expect(outcome.offers.isEmpty)
    }

    @Test func refusedURLsAreSkippedWithTheReason() throws {
        var e = engine([
            try rule("bad", .incoming, .ringing, url: "https://{CALLERNAME}/"),
            try rule("click", .any, .onClick, url: "https://{CALLERNAME}/"),
        ])
        let outcome = e.handle(event("c1", .ringing, name: ""), at: at(0))
        // The offer is listed without expanding it; expanded for a notification, its refused URL leaves it out.
        #expect(outcome.decisions.map(summary) == ["click offer", "bad skip:refused-url"])
        #expect(outcome.decisions.last?.detail == "no host after the scheme")
        #expect(outcome.decisions.allSatisfy { $0.plan == nil })
        #expect(outcome.offers.isEmpty)
        #expect(e.click(rule: "click", call: "c1", at: at(1)).map { "\(summary($0)) \($0.detail ?? "")" }
            == "click skip:refused-url no host after the scheme")
        // A refused URL does not use up the rate limit.
        var one = engine([try rule("bad", .incoming, .ringing, url: "https://{CALLERNAME}/"), try rule("ok", .incoming, .ringing)], perMinute: 1)
        #expect(one.handle(event("c2", .ringing, name: ""), at: at(0)).decisions.map(summary) == ["bad skip:refused-url", "ok launch"])
    }

    @Test func reloadKeepsFiredRulesAndAppliesNewOnes() throws {
        var e = engine([try rule("ans", .any, .answer)])
        #expect(e.handle(event("c1", .answered), at: at(0)).decisions.map(summary) == ["ans launch"])
        e.reload(RuleSet(user: ukUser, launchesPerMinute: 10, rules: [
            try rule("ans", .any, .answer, url: "https://other.example.com/{CALLERNUM}"), try rule("ring", .incoming, .ringing),
        ]))
        _ = e.handle(event("c1", .ended), at: at(1))
        // A replay of the answered call after the reload: the rule that fired stays fired.
        #expect(e.handle(event("c1", .answered), at: at(2)).decisions.map(summary) == ["ans skip:already-fired"])
        let fresh = e.handle(event("c2", .ringing), at: at(3)).decisions
        #expect(fresh.map(summary) == ["ring launch"])
        #expect(e.ruleSet.rules.map(\.id) == ["ans", "ring"])
    }

    @Test func reloadAppliesANewRateLimit() throws {
        var e = engine([try rule("ring", .incoming, .ringing)])
        e.reload(RuleSet(user: ukUser, launchesPerMinute: 1, rules: [try rule("ring", .incoming, .ringing)]))
        #expect(e.handle(event("c1", .ringing), at: at(0)).decisions.map(summary) == ["ring launch"])
        #expect(e.handle(event("c2", .ringing), at: at(1)).decisions.map(summary) == ["ring skip:rate-limit"])
    }

    @Test func decisionsCarryTheCallAndUseMergedValues() throws {
        var e = engine([try rule("ans", .incoming, .answer, url: "https://crm.example.com/?n={CALLERNAME}")])
        _ = e.handle(event("c1", .ringing, name: "John Doe"), at: at(0))
        let d = try firstDecision(&e, event("c1", .answered, number: "", name: ""), at: at(1))
        #expect(d.remoteName == "John Doe" && d.remoteNumber == "+442071234567")
        #expect(d.plan?.url == "https://crm.example.com/?n=John%20Doe")
        #expect(d.direction == .incoming && d.trigger == .answer && d.action == .url && d.ruleName == "ans")
    }

    @Test func appTargetsRunTheirArgvWithTheCallEnvironment() throws {
        let r = PopupRule(name: "Log", direction: .outgoing, trigger: .callGeneration,
                          target: try appTarget("logger -t callpop 'calling {CALLERNUM:national}'"))
        var e = engine([r])
        let d = try firstDecision(&e, event("c1", .ringing, .outgoing, number: "+442079460000", name: ""), at: at(0))
        #expect(d.verdict == .launch && d.action == .app)
        #expect(d.plan?.argv == ["logger", "-t", "callpop", "calling 02079460000"])
        #expect(d.plan?.environment["CALLPOP_CALLTYPE"] == "outgoing")
        #expect(d.plan?.url == nil)
    }
}
