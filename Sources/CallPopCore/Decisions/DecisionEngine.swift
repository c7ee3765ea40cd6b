/// The heart of callpop: call events in, decisions out. Pure and synchronous, so it is
/// tested without I/O and costs microseconds on the event-to-launch path.
public struct DecisionEngine: Sendable {
    /// The configuration in force.
    public private(set) var ruleSet: RuleSet
    var tracker: CallTracker
    private var limiter: RateLimiter

    /// The result of one event.
    public struct Outcome: Sendable, Hashable {
        /// The call after the event (nil when the event was ignored: an end of an unknown call).
        public var call: TrackedCall?
        /// The decisions, in rule order; empty for repeats. A new call's on-click rules come first
        /// as `offer` decisions, without a plan: nothing is expanded until something shows them.
        public var decisions: [Decision]
        /// The number caller lookup is to look up for this call (a new call, or a new other
        /// party); nil when none. Rules that use the contact wait for `identify`.
        public var lookUp: String?
        /// The rules in force for this event, kept so that `offers` expands exactly what they said.
        private var ruleSet: RuleSet?

        /// The on-click rules offered for this call, expanded (for the notification); rules whose
        /// URL is refused for this call are left out. Expanded on each read, so read it once,
        /// and only when something shows the offers.
        public var offers: [Decision] {
            guard let call, let ruleSet else { return [] }
            return DecisionEngine.offers(of: ruleSet, for: call, expanded: true)
        }

        /// `decisions` with each offer's target expanded: what a decision log shows (`--dry-run`,
        /// `--json`, `simulate`), so the reader sees what a click would open. An offer whose
        /// target is refused for this call stays without one.
        public var decisionsShowingOffers: [Decision] {
            guard decisions.contains(where: { $0.verdict == .offer && $0.plan == nil }) else { return decisions }
            let expanded = offers
            return decisions.map { decision in
                guard decision.verdict == .offer, decision.plan == nil,
                      let offer = expanded.first(where: { $0.ruleID == decision.ruleID }) else { return decision }
                return offer
            }
        }

        init(call: TrackedCall?, decisions: [Decision], ruleSet: RuleSet?, lookUp: String? = nil) {
            self.call = call
            self.decisions = decisions
            self.ruleSet = ruleSet
            self.lookUp = lookUp
        }
    }

    /// Creates an engine.
    public init(ruleSet: RuleSet, tracker: CallTracker = CallTracker()) {
        self.ruleSet = ruleSet
        self.tracker = tracker
        self.limiter = RateLimiter(perMinute: ruleSet.launchesPerMinute)
    }

    /// Replaces the configuration; calls in progress keep their fired rules.
    public mutating func reload(_ newRules: RuleSet) {
        if newRules.launchesPerMinute != ruleSet.launchesPerMinute {
            limiter = RateLimiter(perMinute: newRules.launchesPerMinute)
        }
        ruleSet = newRules
    }

    /// The live calls, newest first.
    public var liveCalls: [TrackedCall] { tracker.liveCalls }

    /// A live or recently ended call.
    public func call(_ id: String) -> TrackedCall? { tracker.call(id) }

    /// Handles one call event at `now`.
    public mutating func handle(_ event: CallEvent, at now: ContinuousClock.Instant) -> Outcome {
        let colleagues = ruleSet.colleagues, userNumber = ruleSet.user.number
        guard let update = tracker.apply(event, at: now, colleague: { event in
            colleagues.isColleague(event.remoteNumber, userNumber: event.userNumber ?? userNumber)
        }) else {
            return Outcome(call: nil, decisions: [], ruleSet: nil)
        }
        let (isNew, trigger) = (update.isNew, update.trigger)
        var call = (consume update).call  // moved, not copied: a call holds a dozen strings
        let lookUp = startLookupIfDue(&call)
        var decisions = isNew ? Self.offers(of: ruleSet, for: call, expanded: false) : []
        if let trigger {
            // Built once, and only when a rule gets as far as expanding its target.
            var variables: CallVariables?
            var waiting: [WaitingRule] = []
            // By index, from a local array: each rule is read in place, not copied (a rule holds
            // a dozen strings and arrays, and this runs for every call change).
            let rules = ruleSet.rules
            for index in rules.indices where rules[index].trigger == trigger {
                guard let decision = evaluate(rules[index], trigger: trigger, call: call, variables: &variables, now: now) else {
                    waiting.append(WaitingRule(ruleID: rules[index].id, trigger: trigger))
                    continue
                }
                if decision.verdict == .launch { tracker.markFired(rules[index].id, call: call.event.callID) }
                decisions.append(decision)
            }
            if !waiting.isEmpty { addWaiting(waiting, to: &call) }
        }
        return Outcome(call: call, decisions: decisions, ruleSet: ruleSet, lookUp: lookUp)
    }

    /// The user clicked an on-click rule (a notification action, `callpop open`) for a call
    /// that is live or recently ended. Clicks are the user's choice: no colleague skip and no
    /// once-per-call limit, but the rate limit and URL checks still apply.
    public mutating func click(rule ruleID: String, call callID: String, at now: ContinuousClock.Instant) -> Decision? {
        guard let call = tracker.call(callID) else { return nil }
        return click(rule: ruleID, call, at: now)
    }

    /// The user clicked an on-click rule for a call from the history, over and no longer
    /// tracked (`callpop open RULE --call last`): the same checks as for a live call.
    public mutating func click(rule ruleID: String, pastCall event: CallEvent, at now: ContinuousClock.Instant) -> Decision? {
        let call = TrackedCall(
            event: event, isColleague: event.isColleague ?? false, wasAnswered: false, firedRuleIDs: [], firstSeen: now,
            lastSeen: now)
        return click(rule: ruleID, call, at: now)
    }

    private mutating func click(rule ruleID: String, _ call: TrackedCall, at now: ContinuousClock.Instant) -> Decision? {
        // Only on-click rules open on request: an automatic rule must not fire twice this way.
        guard let rule = ruleSet.rule(ruleID), rule.trigger == .onClick else { return nil }
        let variables = CallVariables(event: call.event, user: ruleSet.user, contact: call.contact)
        var decision = Self.makeDecision(rule, trigger: .onClick, call: call, verdict: .launch)
        guard rule.enabled else { return skipped(decision, .disabled) }
        guard rule.direction.admits(call.event.direction) else { return skipped(decision, .direction) }
        if let reason = Self.filtersAdmit(rule, call.event, plan: ruleSet.user.numberPlan) { return skipped(decision, reason) }
        if let reason = rule.contactFilterRejects(call.contact) { return skipped(decision, reason) }
        do {
            decision.plan = try rule.target.plan(variables, policy: ruleSet.launch)
        } catch {
            return skipped(decision, error.reason, detail: error.description)
        }
        guard limiter.admit(at: now) else {
            decision.plan = nil  // as for automatic triggers: a skip shows no argv, nothing runs
            return skipped(decision, .rateLimit)
        }
        return decision
    }

    /// The on-click rules of `ruleSet` that admit `call`; with `expanded`, each with its plan
    /// (and those whose target is refused for this call left out).
    static func offers(of ruleSet: RuleSet, for call: TrackedCall, expanded: Bool) -> [Decision] {
        var variables: CallVariables?
        var offers: [Decision] = []
        let rules = ruleSet.rules
        for index in rules.indices where rules[index].trigger == .onClick {
            guard let offer = offer(of: rules[index], ruleSet: ruleSet, for: call, expanded: expanded, variables: &variables)
            else { continue }
            offers.append(offer)
        }
        return offers
    }

    /// The offer of on-click `rule` for `call`; nil when the rule does not admit the call (or,
    /// `expanded`, refuses its target for it).
    private static func offer(
        of rule: PopupRule, ruleSet: RuleSet, for call: TrackedCall, expanded: Bool, variables: inout CallVariables?
    ) -> Decision? {
        guard rule.enabled, rule.direction.admits(call.event.direction),
              filtersAdmit(rule, call.event, plan: ruleSet.user.numberPlan) == nil,
              // Offered once the lookup can tell whether the caller is known.
              !(rule.filtersOnContact && call.lookup.isWaiting), rule.contactFilterRejects(call.contact) == nil
        else { return nil }
        var offer = makeDecision(rule, trigger: .onClick, call: call, verdict: .offer)
        if expanded {
            let values = variables ?? CallVariables(event: call.event, user: ruleSet.user, contact: call.contact)
            variables = values
            guard let plan = try? rule.target.plan(values, policy: ruleSet.launch) else { return nil }
            offer.plan = plan
        }
        return offer
    }

    /// The decision for `rule`; nil when it must wait for caller lookup (every other check passed).
    mutating func evaluate(
        _ rule: PopupRule, trigger: Trigger, call: TrackedCall, variables: inout CallVariables?, now: ContinuousClock.Instant
    ) -> Decision? {
        var decision = Self.makeDecision(rule, trigger: trigger, call: call, verdict: .launch)
        guard rule.enabled else { return skipped(decision, .disabled) }
        guard rule.direction.admits(call.event.direction) else { return skipped(decision, .direction) }
        if let reason = Self.filtersAdmit(rule, call.event, plan: ruleSet.user.numberPlan) { return skipped(decision, reason) }
        guard rule.anonymous || call.event.hasRemoteNumber else { return skipped(decision, .noNumber) }
        guard !call.firedRuleIDs.contains(rule.id) else { return skipped(decision, .alreadyFired) }
        guard !call.isColleague else { return skipped(decision, .colleague) }
        if rule.waitsForContact, call.lookup.isWaiting { return nil }
        if let reason = rule.contactFilterRejects(call.contact) { return skipped(decision, reason) }
        let values = variables ?? CallVariables(event: call.event, user: ruleSet.user, contact: call.contact)
        variables = values
        do {
            decision.plan = try rule.target.plan(values, policy: ruleSet.launch)
        } catch {
            return skipped(decision, error.reason, detail: error.description)
        }
        guard limiter.admit(at: now) else {
            decision.plan = nil
            return skipped(decision, .rateLimit)
        }
        return decision
    }

    /// The reason the rule's number filters reject the call, or nil when they admit it.
    private static func filtersAdmit(_ rule: PopupRule, _ event: CallEvent, plan: NumberPlan) -> Decision.SkipReason? {
        guard !rule.calledNumbers.isEmpty || !rule.remoteNumbers.isEmpty else { return nil }
        func matches(_ patterns: [NumberPattern], _ number: String) -> Bool {
            patterns.isEmpty || patterns.contains { $0.matches(number) || $0.matches(plan.e164(number)) }
        }
        if !matches(rule.calledNumbers, event.calledNumber) { return .calledNumber }
        if !matches(rule.remoteNumbers, event.remoteNumber) { return .remoteNumber }
        return nil
    }

    private static func makeDecision(_ rule: PopupRule, trigger: Trigger, call: TrackedCall, verdict: Decision.Verdict) -> Decision {
        Decision(
            callID: UntrustedText.clean(call.event.callID, for: .logLine), ruleID: rule.id, ruleName: rule.name, trigger: trigger,
            direction: call.event.direction, verdict: verdict, action: rule.target.kind,
            remoteNumber: UntrustedText.clean(call.event.remoteNumber, for: .logLine), remoteName: UntrustedText.clean(call.event.remoteName, for: .logLine))
    }

    private func skipped(_ decision: Decision, _ reason: Decision.SkipReason, detail: String? = nil) -> Decision {
        var d = decision
        d.verdict = .skip
        d.reason = reason
        d.detail = detail
        return d
    }
}
