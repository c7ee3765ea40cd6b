/// One callback event of one call: what a `[[callback]]` may be sent for.
public struct CallbackOccurrence: Sendable, Hashable {
    /// `new`, `updated` or `ended`.
    public var kind: CallbackEventKind
    /// For `updated`: what changed, stable for the change (`answered`, `party:NUMBER/NAME`);
    /// empty otherwise. Part of the `Idempotency-Key`.
    public var change: String
    /// The call as the tracker knows it after the change.
    public var event: CallEvent
    /// Whether the call counts as a colleague call.
    public var isColleague: Bool
    /// For `ended`: whole seconds from the answer to the end (0 when unanswered).
    public var duration: Int
    /// For `ended`: how the call ended.
    public var disposition: CallDisposition?
    /// What caller lookup found for the call so far.
    public var contact: CallerContact?

    /// Creates an occurrence.
    public init(
        kind: CallbackEventKind, change: String = "", event: CallEvent, isColleague: Bool = false, duration: Int = 0,
        disposition: CallDisposition? = nil, contact: CallerContact? = nil
    ) {
        self.kind = kind
        self.change = change
        self.event = event
        self.isColleague = isColleague
        self.duration = duration
        self.disposition = disposition
        self.contact = contact
    }
}

/// Turns the tracker's view of each call change into callback events: exactly one `new`
/// per call, one `updated` per distinct change of state or other party while it lives, and
/// one `ended` with its duration and disposition. Pure: the time comes from the tracked
/// call (`lastSeen`, the instant the tracker applied the event).
///
/// Repeats (forked ringing, a replayed stream, a resynchronisation) change nothing and so
/// produce nothing; a call that has ended produces nothing more. Memory is bounded like
/// the tracker's: live calls up to `maximumCalls`, ended ids in a ring.
public struct CallbackEventTracker: Sendable {
    private struct Live: Sendable {
        var answeredAt: ContinuousClock.Instant?
        var party: String
        var changes: Set<String>
        var lastSeen: ContinuousClock.Instant
    }

    /// At most this many live calls are followed; the stalest is dropped first.
    public var maximumCalls: Int
    private var live: [String: Live] = [:]
    private var endedIDs: Set<String> = []
    private var endedOrder: [String] = []

    /// Creates a tracker.
    public init(maximumCalls: Int = 256) {
        self.maximumCalls = maximumCalls
    }

    /// The callback events `call`'s latest change causes, in order.
    ///
    /// Every call event comes here: a followed call is found with one lookup and changed in
    /// place, and its other party is compared without making the text of it.
    public mutating func observe(_ call: TrackedCall) -> [CallbackOccurrence] {
        let id = call.event.callID
        let now = call.lastSeen
        // A followed call is never among the ended ones (it leaves `live` when it ends).
        guard let index = live.index(forKey: id) else {
            // Never seen alive, or ended already: nothing to report.
            guard call.event.state != .ended, !endedIDs.contains(id) else { return [] }
            let party = Self.party(call.event)
            live[id] = Live(
                answeredAt: call.event.state == .answered ? now : nil, party: party,
                changes: [call.event.state == .answered ? "answered" : "", "party:" + party], lastSeen: now)
            trim()
            return [CallbackOccurrence(kind: .new, event: call.event, isColleague: call.isColleague, contact: call.contact)]
        }
        if call.event.state == .ended {
            let state = live.remove(at: index).value
            remember(id)
            let seconds = state.answeredAt.map { Int((now - $0) / .seconds(1)) } ?? 0
            return [CallbackOccurrence(
                kind: .ended, event: call.event, isColleague: call.isColleague, duration: call.wasAnswered ? max(0, seconds) : 0,
                disposition: Self.disposition(call), contact: call.contact)]
        }
        var occurrences: [CallbackOccurrence] = []
        if call.event.state == .answered, live.values[index].answeredAt == nil {
            live.values[index].answeredAt = now
            if live.values[index].changes.insert("answered").inserted {
                occurrences.append(CallbackOccurrence(kind: .updated, change: "answered", event: call.event, isColleague: call.isColleague, contact: call.contact))
            }
        }
        if !Self.isParty(live.values[index].party, of: call.event) {
            let party = Self.party(call.event)
            live.values[index].party = party
            if live.values[index].changes.insert("party:" + party).inserted {
                occurrences.append(CallbackOccurrence(
                    kind: .updated, change: "party:" + party, event: call.event, isColleague: call.isColleague, contact: call.contact))
            }
        }
        live.values[index].lastSeen = now
        return occurrences
    }

    /// How `call`, now ended, ended.
    static func disposition(_ call: TrackedCall) -> CallDisposition {
        if call.wasAnswered { return .answered }
        if call.event.answeredElsewhere { return .answeredElsewhere }
        switch call.event.endCause {
        case .busy?: return .busy
        case .failed?: return .failed
        case nil: return .missed
        }
    }

    /// The other party as one comparable text.
    private static func party(_ event: CallEvent) -> String {
        event.remoteNumber + "/" + event.remoteName
    }

    /// Whether `party` is `event`'s other party, compared in place (`party(event) == party`).
    private static func isParty(_ party: String, of event: CallEvent) -> Bool {
        let number = event.remoteNumber.utf8, name = event.remoteName.utf8, text = party.utf8
        guard text.count == number.count + 1 + name.count else { return false }
        let separator = text.index(text.startIndex, offsetBy: number.count)
        return text[..<separator].elementsEqual(number) && text[separator] == UInt8(ascii: "/")
            && text[text.index(after: separator)...].elementsEqual(name)
    }

    private mutating func trim() {
        guard live.count > maximumCalls, let stalest = live.min(by: { $0.value.lastSeen < $1.value.lastSeen }) else { return }
        live[stalest.key] = nil
    }

    private mutating func remember(_ id: String) {
        endedIDs.insert(id)
        endedOrder.append(id)
        if endedOrder.count > 2 * maximumCalls {
            for gone in endedOrder.prefix(endedOrder.count - maximumCalls) { endedIDs.remove(gone) }
            endedOrder.removeFirst(endedOrder.count - maximumCalls)
        }
    }
}
