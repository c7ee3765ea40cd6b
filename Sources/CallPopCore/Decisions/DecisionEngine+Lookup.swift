/// Caller lookup in the decision engine: a call whose number is to be looked up holds back
/// the rules that use the contact (`PopupRule.waitsForContact`) until `identify` — the
/// answer, or the lookup budget running out. Every other rule is decided at once, so its
/// popup is never late. Pure, like the rest of the engine: the agent does the lookup.
extension DecisionEngine {
    /// What caller lookup found for call `callID` (nil: nobody, or no answer in time), for
    /// the number it looked up. Decides the rules that waited, and puts the contact in the
    /// call for later triggers, clicks and the notification. Called again with a late answer,
    /// it only updates the contact; a late "nobody" never removes a contact found earlier.
    /// Returns nil when nothing changed or the call moved on to another number.
    public mutating func identify(
        call callID: String, number: String, contact: CallerContact?, at now: ContinuousClock.Instant
    ) -> Outcome? {
        guard var call = tracker.call(callID), call.lookupNumber == number else { return nil }
        var waiting: [WaitingRule] = []
        if case .waiting(let rules) = call.lookup { waiting = rules }
        let wasWaiting = call.lookup.isWaiting
        let newContact = contact.map { $0 != call.contact } ?? false
        guard wasWaiting || newContact else { return nil }
        if let contact { call.contact = contact }
        call.lookup = .settled
        let settled = call
        tracker.modify(callID) {
            $0.contact = settled.contact
            $0.lookup = .settled
        }
        var decisions: [Decision] = []
        var variables: CallVariables?
        for waiter in waiting {
            // A reload may have removed the rule meanwhile: then there is nothing to decide.
            guard let rule = ruleSet.rules.first(where: { $0.id == waiter.ruleID }),
                  let decision = evaluate(rule, trigger: waiter.trigger, call: call, variables: &variables, now: now)
            else { continue }
            if decision.verdict == .launch {
                tracker.markFired(rule.id, call: callID)
                call.firedRuleIDs.insert(rule.id)
            }
            decisions.append(decision)
        }
        return Outcome(call: call, decisions: decisions, ruleSet: ruleSet)
    }

    /// Starts a lookup for `call` when it has a number not looked up yet (a new call, or a
    /// transfer to another party): the number to look up, or nil.
    mutating func startLookupIfDue(_ call: inout TrackedCall) -> String? {
        guard ruleSet.looksUpCallers, call.event.state != .ended else { return nil }
        let number = call.event.remoteNumber
        guard number != call.lookupNumber, number.utf8.contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        // Rules already waiting for the old party's answer wait for the new one's.
        if case .waiting = call.lookup {} else { call.lookup = .waiting([]) }
        call.contact = nil
        call.lookupNumber = number
        let started = call
        tracker.modify(call.event.callID) {
            $0.lookup = started.lookup
            $0.contact = nil
            $0.lookupNumber = number
        }
        return number
    }

    /// Adds rules to those waiting for `call`'s lookup.
    mutating func addWaiting(_ rules: [WaitingRule], to call: inout TrackedCall) {
        guard case .waiting(let already) = call.lookup else { return }
        call.lookup = .waiting(already + rules)
        let waiting = call.lookup
        tracker.modify(call.event.callID) { $0.lookup = waiting }
    }
}
