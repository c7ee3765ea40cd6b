internal import FoundationEssentials

/// One call as the history tells it: when, who, how it ended, which popups opened.
public struct HistoryCall: Sendable, Hashable, Codable {
    /// How the call went, as far as the history knows.
    public enum Result: String, Sendable, Hashable, Codable, CaseIterable {
        /// Still ringing (or the history ends before it did).
        case ringing
        /// Answered and not yet over.
        case inProgress = "in-progress"
        /// Answered, then over.
        case answered
        /// Incoming, ended without anybody answering.
        case missed
        /// Somebody else took it (ring group, queue, pickup).
        case answeredElsewhere = "answered-elsewhere"
        /// Outgoing, ended without an answer.
        case notAnswered = "not-answered"
    }

    /// The call's id (`callpop open RULE --call ID`).
    public var id: String
    /// When it was first seen and when it ended, milliseconds since 1970 (UTC).
    public var started: Int64
    public var ended: Int64?
    /// When the user answered, if they did.
    public var answered: Int64?
    public var direction: CallDirection
    /// The other party (cleaned when written).
    public var number: String
    public var name: String
    /// The dialled number (DID, queue).
    public var called: String
    public var colleague: Bool
    /// The call ended after being taken by somebody else.
    public var answeredElsewhere: Bool
    /// Rules that opened for it (automatic and clicked), in order, by id.
    public var opened: [String]
    /// On-click rules offered for it.
    public var offered: [String]

    /// How the call went.
    public var result: Result {
        guard ended != nil else { return answered == nil ? .ringing : .inProgress }
        if answered != nil { return .answered }
        if answeredElsewhere { return .answeredElsewhere }
        return direction == .incoming ? .missed : .notAnswered
    }

    /// The event a click on a rule for this call expands with (after the call is over).
    public var event: CallEvent {
        CallEvent(
            callID: id, state: ended == nil ? (answered == nil ? .ringing : .answered) : .ended, direction: direction,
            remoteNumber: number, remoteName: name, calledNumber: called, isColleague: colleague,
            answeredElsewhere: answeredElsewhere)
    }
}

/// The call history journal's lines (NDJSON, one per call change and per decision) and
/// how they fold into calls. Pure; the runtime writes and reads the files.
///
/// ```json
/// {"t":"2025-03-01T09:30:05Z","ms":1740821405000,"kind":"call","call":"c1","state":"ringing","direction":"incoming","number":"+442071234567","name":"John Doe","called":"5550100","colleague":false,"answered":false,"elsewhere":false}
/// {"t":"2025-03-01T09:30:05Z","ms":1740821405000,"kind":"decision","call":"c1","rule_id":"crm","rule":"CRM","trigger":"ringing","decision":"launch"}
/// ```
public enum CallHistory {
    /// The line for a call change at `ms`; `time` is `ms` as ISO 8601 (the platform formats it).
    public static func line(for call: TrackedCall, ms: Int64, time: String) -> String {
        var w = JSONObjectWriter()
        w.add("t", time)
        w.add("ms", Int(ms))
        w.add("kind", "call")
        w.add("call", UntrustedText.clean(call.event.callID, for: .logLine))
        w.add("state", call.event.state.rawValue)
        w.add("direction", call.event.direction.rawValue)
        w.add("number", UntrustedText.clean(call.event.remoteNumber, for: .logLine))
        w.add("name", UntrustedText.clean(call.event.remoteName, for: .logLine))
        w.add("called", UntrustedText.clean(call.event.calledNumber, for: .logLine))
        w.add("colleague", call.isColleague)
        w.add("answered", call.wasAnswered)
        w.add("elsewhere", call.event.answeredElsewhere)
        return w.json
    }

    /// The line for a decision at `ms` (launches, clicks and offers; skips are left to the log).
    public static func line(for decision: Decision, ms: Int64, time: String) -> String? {
        guard decision.verdict != .skip else { return nil }
        var w = JSONObjectWriter()
        w.add("t", time)
        w.add("ms", Int(ms))
        w.add("kind", "decision")
        w.add("call", decision.callID)
        w.add("rule_id", decision.ruleID)
        w.add("rule", decision.ruleName)
        w.add("trigger", decision.trigger.rawValue)
        w.add("decision", decision.verdict.rawValue)
        return w.json
    }

    private struct Line: Decodable {
        var ms: Int64
        var kind: String
        var call: String
        var state: String?
        var direction: String?
        var number: String?
        var name: String?
        var called: String?
        var colleague: Bool?
        var answered: Bool?
        var elsewhere: Bool?
        var rule_id: String?
        var decision: String?
    }

    /// Folds journal lines, oldest first, into calls in the order they started. Lines that
    /// are not history records (a torn last line, garbage) are skipped.
    public static func calls(from lines: some Sequence<ArraySlice<UInt8>>) -> [HistoryCall] {
        var calls: [HistoryCall] = []
        var index: [String: Int] = [:]
        // The agent decides a new call's popups before it records the call: those decisions
        // wait here for their call's first line.
        var early: [String: [String]] = [:]
        let decoder = JSONDecoder()
        for bytes in lines where bytes.count > 2 && bytes.count <= EventLineDecoder.maximumLineLength {
            guard let line = try? decoder.decode(Line.self, from: Data(bytes)) else { continue }
            if line.kind == "call" {
                guard let direction = line.direction.flatMap(CallDirection.init(rawValue:)),
                      let state = line.state.flatMap(CallState.init(rawValue:))
                else { continue }
                var call = index[line.call].map { calls[$0] } ?? HistoryCall(
                    id: line.call, started: line.ms, ended: nil, answered: nil, direction: direction, number: "", name: "",
                    called: "", colleague: false, answeredElsewhere: false, opened: [], offered: [])
                // A call id seen again after its end is a new call (some PBXs reuse ids).
                if call.ended != nil, state != .ended {
                    call = HistoryCall(
                        id: line.call, started: line.ms, ended: nil, answered: nil, direction: direction, number: "", name: "",
                        called: "", colleague: false, answeredElsewhere: false, opened: [], offered: [])
                    index[line.call] = nil
                }
                if let number = line.number, !number.isEmpty { call.number = number }
                if let name = line.name, !name.isEmpty { call.name = name }
                if let called = line.called, !called.isEmpty { call.called = called }
                call.colleague = line.colleague ?? call.colleague
                if line.answered == true, call.answered == nil { call.answered = line.ms }
                if state == .ended {
                    call.ended = call.ended ?? line.ms
                    call.answeredElsewhere = line.elsewhere ?? false
                }
                if let at = index[line.call] { calls[at] = call } else {
                    call.opened = early.removeValue(forKey: line.call) ?? []
                    index[line.call] = calls.count
                    calls.append(call)
                }
            } else if line.kind == "decision", let rule = line.rule_id {
                guard let at = index[line.call] else {
                    if line.decision == "launch", early.count < 64 || early[line.call] != nil { early[line.call, default: []].append(rule) }
                    continue
                }
                switch line.decision {
                case "launch": calls[at].opened.append(rule)
                case "offer" where !calls[at].offered.contains(rule): calls[at].offered.append(rule)
                default: break
                }
            }
        }
        return calls
    }

    /// Which calls a query asks for.
    public struct Query: Sendable, Hashable {
        /// Only missed calls.
        public var missedOnly: Bool
        /// Only calls that started at or after this time (ms since 1970).
        public var since: Int64?
        /// At most this many, the newest.
        public var limit: Int?

        /// A query; the defaults ask for everything.
        public init(missedOnly: Bool = false, since: Int64? = nil, limit: Int? = nil) {
            self.missedOnly = missedOnly
            self.since = since
            self.limit = limit
        }

        /// The calls it selects, oldest first.
        public func select(_ calls: [HistoryCall]) -> [HistoryCall] {
            var chosen = calls.filter { (!missedOnly || $0.result == .missed) && $0.started >= (since ?? .min) }
            if let limit, chosen.count > limit { chosen = Array(chosen.suffix(limit)) }
            return chosen
        }
    }

    /// The call `selector` names: `last`, `last-missed`, or a call id (the newest with it).
    public static func find(_ selector: String, in calls: [HistoryCall]) -> HistoryCall? {
        switch selector {
        case "last": calls.last
        case "last-missed": calls.last { $0.result == .missed }
        default: calls.last { $0.id == selector }
        }
    }
}
