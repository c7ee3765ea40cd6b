import CallPopCore
import Testing

/// Caller lookup in the decision engine: which rules wait for the contact, what the answer
/// decides, and what a late answer changes.
@Suite("Caller lookup decisions")
struct CallerLookupDecisionTests {
    static let anna = CallerContact(
        name: "Anna Alster", organisation: "Alster GmbH", url: "https://crm.example.com/contacts/anna", id: "anna-1",
        directory: "nextcloud")

    /// An engine that looks callers up, over `rules`.
    func lookupEngine(_ rules: [PopupRule]) -> DecisionEngine {
        DecisionEngine(ruleSet: RuleSet(user: ukUser, rules: rules, looksUpCallers: true))
    }

    func contactRule(_ name: String, known: Bool? = nil, directories: [String] = [], url: String, trigger: Trigger = .ringing) throws -> PopupRule {
        PopupRule(
            name: name, direction: trigger == .ringing ? .incoming : .any, trigger: trigger, target: try urlTarget(url),
            known: known, directories: directories)
    }

    @Test func rulesWithoutTheContactAreDecidedAtOnceAndTheOthersWaitForTheAnswer() throws {
        var e = lookupEngine([
            try rule("plain", .incoming, .ringing),
            try contactRule("record", known: true, url: "{CONTACTURL}"),
            try contactRule("new", known: false, url: "https://crm.example.com/new?phone={CALLERNUM:e164}"),
            try contactRule("named", url: "https://crm.example.com/s?name={CONTACTNAME}&org={CONTACTORG}&id={CONTACTID}&d={DIRECTORY}"),
        ])
        let ringing = e.handle(event("c1", .ringing), at: at(0))
        #expect(ringing.decisions.map(summary) == ["plain launch"])
        #expect(ringing.lookUp == "+442071234567")
        #expect(ringing.call?.lookup == .waiting([
            WaitingRule(ruleID: "record", trigger: .ringing), WaitingRule(ruleID: "new", trigger: .ringing),
            WaitingRule(ruleID: "named", trigger: .ringing),
        ]))

        let answerOutcome = e.identify(call: "c1", number: "+442071234567", contact: Self.anna, at: at(0.1))
        let answer = try #require(answerOutcome)
        #expect(answer.decisions.map(summary) == ["record launch", "new skip:known-caller", "named launch"])
        #expect(answer.decisions[0].plan?.url == "https://crm.example.com/contacts/anna")
        #expect(answer.decisions[2].plan?.url == "https://crm.example.com/s?name=Anna%20Alster&org=Alster%20GmbH&id=anna-1&d=nextcloud")
        #expect(answer.call?.contact == Self.anna)
        #expect(answer.call?.lookup == .settled)
        // Fired rules stay fired: a repeated ringing decides nothing again.
        #expect(e.handle(event("c1", .ringing), at: at(0.2)).decisions.isEmpty)
    }

    @Test func anUnknownCallerGetsTheNewContactFormAndNoRecord() throws {
        var e = lookupEngine([
            try contactRule("record", known: true, url: "{CONTACTURL}"),
            try contactRule("new", known: false, url: "https://crm.example.com/new?phone={CALLERNUM:e164}"),
        ])
        #expect(e.handle(event("c1", .ringing, number: "02071234567"), at: at(0)).decisions.isEmpty)
        let answerOutcome = e.identify(call: "c1", number: "02071234567", contact: nil, at: at(0.3))
        let answer = try #require(answerOutcome)
        #expect(answer.decisions.map(summary) == ["record skip:unknown-caller", "new launch"])
        #expect(answer.decisions[1].plan?.url == "https://crm.example.com/new?phone=%2B442071234567")
    }

    @Test func aLateAnswerUpdatesTheContactButDecidesNothingAgain() throws {
        var e = lookupEngine([try contactRule("record", known: true, url: "{CONTACTURL}")])
        _ = e.handle(event("c1", .ringing), at: at(0))
        // The budget passed: the rule goes without a contact.
        let budgetOutcome = e.identify(call: "c1", number: "+442071234567", contact: nil, at: at(0.3))
        let budget = try #require(budgetOutcome)
        #expect(budget.decisions.map(summary) == ["record skip:unknown-caller"])
        // The answer comes late: the call knows the contact now (for the notification), nothing fires.
        let lateOutcome = e.identify(call: "c1", number: "+442071234567", contact: Self.anna, at: at(2))
        let late = try #require(lateOutcome)
        #expect(late.decisions.isEmpty)
        #expect(late.call?.contact == Self.anna)
        // A later "nobody" never removes it, and the same answer again changes nothing.
        let afterNobody = e.identify(call: "c1", number: "+442071234567", contact: nil, at: at(3))
        #expect(afterNobody == nil)
        let sameAgain = e.identify(call: "c1", number: "+442071234567", contact: Self.anna, at: at(3))
        #expect(sameAgain == nil)
        // The answer trigger later sees the contact.
        let answered = e.handle(event("c1", .answered), at: at(4))
        #expect(answered.call?.contact == Self.anna)
    }

    @Test func theDirectoryFilterAdmitsOnlyItsDirectories() throws {
        var e = lookupEngine([
            try contactRule("cloud", directories: ["nextcloud"], url: "https://crm.example.com/a?n={CONTACTNAME}"),
            try contactRule("ldap", directories: ["company", "ldap"], url: "https://crm.example.com/b?n={CONTACTNAME}"),
        ])
        _ = e.handle(event("c1", .ringing), at: at(0))
        let answerOutcome = e.identify(call: "c1", number: "+442071234567", contact: Self.anna, at: at(0.1))
        let answer = try #require(answerOutcome)
        #expect(answer.decisions.map(summary) == ["cloud launch", "ldap skip:directory"])
        _ = e.handle(event("c2", .ringing), at: at(1))
        let nobodyOutcome = e.identify(call: "c2", number: "+442071234567", contact: nil, at: at(1.1))
        let nobody = try #require(nobodyOutcome)
        #expect(nobody.decisions.map(summary) == ["cloud skip:directory", "ldap skip:directory"])
    }

    @Test func withoutDirectoriesNothingWaitsAndEveryCallerIsUnknown() throws {
        var e = engine([
            try contactRule("record", known: true, url: "{CONTACTURL}"),
            try contactRule("new", known: false, url: "https://crm.example.com/new?phone={CALLERNUM}"),
            try contactRule("named", url: "https://crm.example.com/s?name={CONTACTNAME}"),
        ])
        let outcome = e.handle(event("c1", .ringing), at: at(0))
        #expect(outcome.lookUp == nil)
        #expect(outcome.decisions.map(summary) == ["record skip:unknown-caller", "new launch", "named launch"])
        #expect(outcome.decisions[2].plan?.url == "https://crm.example.com/s?name=")
    }

    @Test func callsWithoutANumberAreNotLookedUpAndDecideAtOnce() throws {
        // A rule that takes calls without a number (`anonymous = true`) opens at once; one that
        // does not skips them, as it does without lookup.
        var forAnonymous = try contactRule("new", known: false, url: "https://crm.example.com/new")
        forAnonymous.anonymous = true
        var e = lookupEngine([forAnonymous, try contactRule("numbered", known: false, url: "https://crm.example.com/n")])
        let anonymous = e.handle(event("c1", .ringing, number: "anonymous"), at: at(0))
        #expect(anonymous.lookUp == nil)
        #expect(anonymous.decisions.map(summary) == ["new launch", "numbered skip:no-number"])
    }

    @Test func anAnswerForAnotherNumberIsIgnoredAndATransferLooksUpTheNewParty() throws {
        var e = lookupEngine([try contactRule("named", url: "https://crm.example.com/s?name={CONTACTNAME}", trigger: .answer)])
        #expect(e.handle(event("c1", .ringing), at: at(0)).lookUp == "+442071234567")
        let otherNumber = e.identify(call: "c1", number: "+449999999999", contact: Self.anna, at: at(0.1))
        #expect(otherNumber == nil)
        _ = e.identify(call: "c1", number: "+442071234567", contact: Self.anna, at: at(0.2))
        // Connected to another party: a new lookup, the old contact is gone, the answer rule waits.
        let transferred = e.handle(event("c1", .answered, number: "+441611234567", name: "Other"), at: at(1))
        #expect(transferred.lookUp == "+441611234567")
        #expect(transferred.call?.contact == nil)
        #expect(transferred.decisions.isEmpty)
        let other = CallerContact(name: "Otto", directory: "nextcloud")
        let answerOutcome = e.identify(call: "c1", number: "+441611234567", contact: other, at: at(1.1))
        let answer = try #require(answerOutcome)
        #expect(answer.decisions.map { $0.plan?.url } == ["https://crm.example.com/s?name=Otto"])
    }

    @Test func onClickRulesFilteringOnTheContactAreOfferedOnceItIsKnown() throws {
        var e = lookupEngine([
            try contactRule("record", known: true, url: "{CONTACTURL}", trigger: .onClick),
            try contactRule("search", url: "https://crm.example.com/s?n={CALLERNUM}&name={CONTACTNAME}", trigger: .onClick),
        ])
        let ringing = e.handle(event("c1", .ringing), at: at(0))
        #expect(ringing.offers.map(\.ruleID) == ["search"])
        let answerOutcome = e.identify(call: "c1", number: "+442071234567", contact: Self.anna, at: at(0.1))
        let answer = try #require(answerOutcome)
        #expect(answer.offers.map { $0.plan?.url } == [
            "https://crm.example.com/contacts/anna", "https://crm.example.com/s?n=%2B442071234567&name=Anna%20Alster",
        ])
        let click = e.click(rule: "record", call: "c1", at: at(1))
        #expect(click?.plan?.url == "https://crm.example.com/contacts/anna")
    }

    @Test func theRecordURLIsCheckedWholeWhenItExpands() throws {
        let target = try urlTarget("{CONTACTURL}")
        func plan(_ url: String) -> String {
            let contact = CallerContact(name: "X", url: url, directory: "d")
            let values = CallVariables(event: event("c1", .ringing), user: ukUser, contact: contact)
            do { return try target.plan(values, policy: LaunchPolicy()).url ?? "" } catch { return "refused: \(error.description)" }
        }
        #expect(plan("https://crm.example.com/contacts/4711?tab=calls") == "https://crm.example.com/contacts/4711?tab=calls")
        #expect(plan("javascript:alert(1)") == "refused: scheme 'javascript' is not allowed (see [launch] url_schemes)")
        #expect(plan("") == "refused: not an absolute URL (no scheme)")
        #expect(plan("https://crm.example.com/a b") == "refused: whitespace or a control character in the URL")
        // Values after the record URL are encoded as usual.
        let notes = try urlTarget("{CONTACTURL}/notes?from={CALLERNUM}")
        let values = CallVariables(event: event("c1", .ringing), user: ukUser, contact: CallerContact(name: "X", url: "https://crm.example.com/c/1", directory: "d"))
        #expect(try notes.plan(values, policy: LaunchPolicy()).url == "https://crm.example.com/c/1/notes?from=%2B442071234567")
    }

    @Test func appTargetsGetTheContactInTheirEnvironment() throws {
        let target = try appTarget("crm-tool --name={CONTACTNAME}")
        let values = CallVariables(event: event("c1", .ringing), user: ukUser, contact: Self.anna)
        let plan = try target.plan(values, policy: LaunchPolicy())
        #expect(plan.argv == ["crm-tool", "--name=Anna Alster"])
        #expect(plan.environment["CALLPOP_CONTACTNAME"] == "Anna Alster")
        #expect(plan.environment["CALLPOP_CONTACTORG"] == "Alster GmbH")
        #expect(plan.environment["CALLPOP_CONTACTURL"] == "https://crm.example.com/contacts/anna")
        #expect(plan.environment["CALLPOP_CONTACTID"] == "anna-1")
        #expect(plan.environment["CALLPOP_DIRECTORY"] == "nextcloud")
    }

    @Test func contactTextIsCleanedLikeCallerID() {
        let hostile = CallerContact(name: "Eve\u{202E}\n<b>x</b>", organisation: "Org\u{0}", directory: "d")
        let values = CallVariables(event: event("c1", .ringing), user: ukUser, contact: hostile)
        #expect(!values[.contactName].unicodeScalars.contains { $0 == "\u{202E}" || $0 == "\n" })
        #expect(!values[.contactOrganisation].unicodeScalars.contains("\u{0}"))
    }

    @Test func callbacksCarryTheContactAndHeldChangesGoOutInOrder() throws {
        var e = lookupEngine([])
        var hold = ContactHold()
        var tracker = CallbackEventTracker()
        var kinds: [String] = []
        func observe(_ call: TrackedCall?) {
            guard let call else { return }
            for change in hold.pass(call) {
                kinds += tracker.observe(change).map { "\($0.kind.rawValue):\($0.contact?.name ?? "-")" }
            }
        }
        // Rings and ends within the budget: both wait, then go out with the name.
        observe(e.handle(event("c1", .ringing), at: at(0)).call)
        observe(e.handle(event("c1", .ended), at: at(0.1)).call)
        #expect(kinds.isEmpty)
        observe(e.identify(call: "c1", number: "+442071234567", contact: Self.anna, at: at(0.2))?.call)
        #expect(kinds == ["new:Anna Alster", "ended:Anna Alster"])
    }

    @Test func theContactVariablesParseAndAreKnownToCallbacks() throws {
        for name in ["CONTACTNAME", "CONTACTORG", "CONTACTURL", "CONTACTID", "DIRECTORY"] {
            let parsed = try template("https://x.example/?v={\(name)}")
            #expect(parsed.usesContact)
            #expect(parsed.variables.first?.isContact == true)
        }
        #expect(try !template("https://x.example/?v={CALLERNUM}").usesContact)
        #expect(try template("{CONTACTURL}").startsWithContactURL)
        #expect(try !template("{CONTACTURL:3}").startsWithContactURL)
        let callback = CallbackRule(name: "log", url: try template("https://crm.example.com/log?who={CONTACTID}"))
        #expect(callback.usesContact)
    }
}
