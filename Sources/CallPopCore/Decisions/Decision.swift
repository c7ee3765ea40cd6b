/// What callpop decided for one rule on one call change: the answer to
/// "why did my popup (not) open?".
public struct Decision: Sendable, Hashable {
    /// The outcome.
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// The target is (or in dry-run would be) launched.
        case launch
        /// The rule applied to this trigger but did not fire; see `reason`.
        case skip
        /// An on-click rule is offered for the call (as a notification action).
        case offer
    }

    /// Why a rule did not fire.
    public enum SkipReason: String, Sendable, Hashable, Codable {
        /// Automatic triggers do not fire for colleague calls.
        case colleague
        /// The rule already fired for this call.
        case alreadyFired = "already-fired"
        /// The rule is for the other direction.
        case direction
        /// The rule is disabled.
        case disabled
        /// The call's called number (DID/queue) does not match the rule's filter.
        case calledNumber = "called-number"
        /// The remote number does not match the rule's filter.
        case remoteNumber = "remote-number"
        /// Too many launches in the last minute.
        case rateLimit = "rate-limit"
        /// The expanded URL was refused (bad scheme, not a URL, control characters).
        case refusedURL = "refused-url"
        /// The call has no number (anonymous, withheld): an automatic rule would open an empty search.
        case noNumber = "no-number"
        /// The rule is for callers a directory knows (`known = true`); this one is unknown.
        case unknownCaller = "unknown-caller"
        /// The rule is for unknown callers (`known = false`); a directory knows this one.
        case knownCaller = "known-caller"
        /// The rule is for callers of other directories (`directory = …`).
        case directory
        /// A caller's value would have been a whole program argument starting with `-`.
        case optionInjection = "option-injection"
    }

    /// The call's id.
    public var callID: String
    /// The rule's id.
    public var ruleID: String
    /// The rule's name.
    public var ruleName: String
    /// The trigger that was evaluated.
    public var trigger: Trigger
    /// The call's direction.
    public var direction: CallDirection
    /// The outcome.
    public var verdict: Verdict
    /// For skips, why.
    public var reason: SkipReason?
    /// Extra words for the reason (e.g. which URL check failed).
    public var detail: String?
    /// The target kind: `url` or `app`.
    public var action: TargetKind
    /// What would run, when the target expanded (launches and offers).
    public var plan: LaunchPlan?
    /// The remote party's number and name, cleaned, for the log.
    public var remoteNumber: String
    /// The remote party's name, cleaned.
    public var remoteName: String

    /// Creates a decision.
    public init(
        callID: String, ruleID: String, ruleName: String, trigger: Trigger, direction: CallDirection,
        verdict: Verdict, reason: SkipReason? = nil, detail: String? = nil, action: TargetKind,
        plan: LaunchPlan? = nil, remoteNumber: String = "", remoteName: String = ""
    ) {
        self.callID = callID
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.trigger = trigger
        self.direction = direction
        self.verdict = verdict
        self.reason = reason
        self.detail = detail
        self.action = action
        self.plan = plan
        self.remoteNumber = remoteNumber
        self.remoteName = remoteName
    }
}
