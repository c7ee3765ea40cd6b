import CallPopCore
import Testing

// Shared builders for the core tests: one user, one clock origin, rules and calls in one line each.

/// User 201 "John Doe" in the UK (country code 44, national prefix 0, international prefix 00).
let ukUser = UserIdentity(
    number: "201", name: "John Doe",
    numberPlan: NumberPlan(countryCode: "44", nationalPrefix: "0", internationalPrefix: "00"))

/// A fixed origin for tracker and limiter time; tests add offsets to it.
let t0 = ContinuousClock.now

/// `t0` plus `seconds`.
func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int(seconds * 1000)) }

/// A parsed template; a test that writes a bad one fails where it is used.
func template(_ text: String) throws -> Template { try Template(parsing: text) }

/// A URL target.
func urlTarget(_ text: String) throws -> PopupTarget { .url(try Template(parsing: text)) }

/// An app target from a command line, split as the loader does.
func appTarget(_ commandLine: String) throws -> PopupTarget {
    .app(try ArgvSplitter.split(commandLine).map { try Template(parsing: $0.text) })
}

/// An app target from an argv array.
func appTarget(argv: [String]) throws -> PopupTarget {
    .app(try argv.map { try Template(parsing: $0) })
}

/// Variables for an incoming call from John Doe at +442071234567 to the UK user.
func variables(
    number: String = "+442071234567", name: String = "John Doe", called: String = "5550100",
    direction: CallDirection = .incoming, user: UserIdentity = ukUser
) -> CallVariables {
    CallVariables(
        event: CallEvent(
            callID: "1700000000.12", state: .ringing, direction: direction, remoteNumber: number, remoteName: name,
            calledNumber: called, tags: ["vip", "sales"], channel: "PJSIP/201-00000001"),
        user: user)
}

/// A call event with the common defaults of these tests.
func event(
    _ id: String, _ state: CallState, _ direction: CallDirection = .incoming, number: String = "+442071234567",
    name: String = "John Doe", called: String = "5550100", colleague: Bool? = nil, answeredElsewhere: Bool = false
) -> CallEvent {
    CallEvent(
        callID: id, state: state, direction: direction, remoteNumber: number, remoteName: name, calledNumber: called,
        isColleague: colleague, answeredElsewhere: answeredElsewhere)
}

/// A rule opening the CRM with the caller's number.
func rule(
    _ name: String, _ direction: DirectionFilter, _ trigger: Trigger, enabled: Bool = true,
    url: String = "https://crm.example.com/search?number={CALLERNUM}",
    called: [String] = [], remote: [String] = []
) throws -> PopupRule {
    PopupRule(
        name: name, direction: direction, trigger: trigger, enabled: enabled, target: try urlTarget(url),
        calledNumbers: called.compactMap(NumberPattern.init), remoteNumbers: remote.compactMap(NumberPattern.init))
}

/// An engine over `rules` for the UK user, with the default colleague policy and launch policy.
func engine(_ rules: [PopupRule], perMinute: Int = 10, colleagues: ColleaguePolicy = ColleaguePolicy()) -> DecisionEngine {
    DecisionEngine(ruleSet: RuleSet(user: ukUser, colleagues: colleagues, launchesPerMinute: perMinute, rules: rules))
}

/// A decision reduced to what most assertions compare: "rule-id verdict[:reason]".
func summary(_ d: Decision) -> String {
    "\(d.ruleID) \(d.verdict.rawValue)" + (d.reason.map { ":" + $0.rawValue } ?? "")
}

/// All decisions of several outcomes, summarised.
func summaries(_ outcomes: [DecisionEngine.Outcome]) -> [String] {
    outcomes.flatMap { $0.decisions.map(summary) }
}

/// "OFFSET: message" of the error parsing `text` throws, or nil when it parses.
func templateFailure(_ text: String) -> String? {
    do {
        _ = try Template(parsing: text)
        return nil
    } catch {
        return "\(error.offset): \(error.message)"
    }
}

/// "OFFSET: message" of the error splitting `line` throws, or nil when it splits.
func splitFailure(_ line: String) -> String? {
    do {
        _ = try ArgvSplitter.split(line)
        return nil
    } catch {
        return "\(error.offset): \(error.message)"
    }
}

/// The first decision `event` at `instant` produces, required to exist.
func firstDecision(_ engine: inout DecisionEngine, _ event: CallEvent, at instant: ContinuousClock.Instant) throws -> Decision {
    let decision = engine.handle(event, at: instant).decisions.first
    return try #require(decision)
}
