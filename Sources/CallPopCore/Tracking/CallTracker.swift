/// What the tracker knows about one call.
public struct TrackedCall: Sendable, Hashable {
    /// The call's latest event, merged: fields a later event leaves empty keep earlier values.
    public var event: CallEvent
    /// Whether the call counts as a colleague call.
    public var isColleague: Bool
    /// Whether the call was ever answered by the user.
    public var wasAnswered: Bool
    /// The ids of the rules that fired for this call (each fires at most once).
    public var firedRuleIDs: Set<String>
    /// When the tracker first and last heard of the call.
    public var firstSeen: ContinuousClock.Instant
    /// When the tracker last heard of the call.
    public var lastSeen: ContinuousClock.Instant
    /// What caller lookup found for `lookupNumber` (nil: unknown, or no answer yet).
    public var contact: CallerContact? = nil
    /// Where caller lookup is for this call.
    public var lookup: CallerLookupState = .none
    /// The number the lookup is (or was) for: a transfer to another party starts a new one.
    public var lookupNumber: String = ""
}

/// The tracker's answer to one event.
public struct CallUpdate: Sendable, Hashable {
    /// The call after the event.
    public var call: TrackedCall
    /// The automatic trigger the event causes, if any (none for repeats and ends).
    public var trigger: Trigger?
    /// The call is new: its on-click rules are to be offered.
    public var isNew: Bool
    /// The event changed nothing (a repeated state, e.g. forked ringing or a resync).
    public var isRepeat: Bool
}

/// Keeps per-call state and turns state changes into triggers. Memory is bounded:
/// ended calls are kept only in a short ring (for late clicks and late duplicates),
/// and calls that never end are dropped after `maximumAge`.
public struct CallTracker: Sendable {
    /// Calls not heard of for this long are dropped.
    public var maximumAge: Duration
    /// At most this many live calls are tracked; the stalest goes first.
    public var maximumCalls: Int
    /// How many ended calls are remembered at least (up to twice as many between trims).
    public var endedMemory: Int

    private(set) var live: [String: TrackedCall] = [:]
    /// At most the oldest `lastSeen` of the live calls (nil: none), so `expire` scans them only
    /// when one may really be too old, not on every event.
    private var oldestSeen: ContinuousClock.Instant?
    private(set) var ended: [TrackedCall] = []
    /// The ids in `ended`, so a new call's id is checked without scanning the ring.
    private var endedIDs: Set<String> = []

    /// Creates a tracker.
    public init(maximumAge: Duration = .seconds(4 * 3600), maximumCalls: Int = 256, endedMemory: Int = 64) {
        self.maximumAge = maximumAge
        self.maximumCalls = maximumCalls
        self.endedMemory = endedMemory
    }

    /// The number of live calls.
    public var liveCount: Int { live.count }

    /// The live calls, newest first.
    public var liveCalls: [TrackedCall] { live.values.sorted { $0.firstSeen > $1.firstSeen } }

    /// A live or recently ended call.
    public func call(_ id: String) -> TrackedCall? {
        live[id] ?? ended.last { $0.event.callID == id }
    }

    /// Applies `event`; `colleague` decides for numbers when the event does not say.
    public mutating func apply(_ event: CallEvent, at now: ContinuousClock.Instant, colleague: (CallEvent) -> Bool) -> CallUpdate? {
        expire(now: now)
        let id = event.callID
        var isNew = false
        // The call is taken out of `live` and put back changed: moved, not copied, on this path.
        var call: TrackedCall
        if let known = live.removeValue(forKey: id) {
            call = known
        } else if endedIDs.contains(id), let index = ended.lastIndex(where: { $0.event.callID == id }) {
            // A late duplicate of an ended call (replay after reconnect): its rules stay fired.
            if event.state == .ended { return nil }
            call = ended.remove(at: index)
            endedIDs.remove(id)
        } else {
            guard event.state != .ended else { return nil }  // never saw it alive: nothing to pop
            isNew = true
            call = TrackedCall(
                event: event, isColleague: event.isColleague ?? colleague(event), wasAnswered: false,
                firedRuleIDs: [], firstSeen: now, lastSeen: now)
        }
        let priorState = isNew ? nil : call.event.state
        if !isNew { Self.merge(&call.event, with: event) }
        if let said = event.isColleague { call.isColleague = said }
        call.lastSeen = now

        var trigger: Trigger? = nil
        switch event.state {
        case .ringing where !call.wasAnswered && priorState != .ringing:
            trigger = Trigger.automatic(for: .ringing, direction: call.event.direction)
        case .answered where priorState != .answered:
            call.wasAnswered = true
            trigger = .answer
        case .ended:
            call.event.state = .ended
            remember(call)
            return CallUpdate(call: call, trigger: nil, isNew: false, isRepeat: false)
        default:
            break
        }
        if call.wasAnswered { call.event.state = .answered }
        oldestSeen = min(oldestSeen ?? now, now)
        let update = CallUpdate(call: call, trigger: trigger, isNew: isNew, isRepeat: trigger == nil && !isNew)
        live[id] = call
        if live.count > maximumCalls, let stalest = live.values.min(by: { $0.lastSeen < $1.lastSeen }) {
            live[stalest.event.callID] = nil
        }
        return update
    }

    /// Changes the live or recently ended call `id` in place; false when there is none.
    @discardableResult
    public mutating func modify(_ id: String, _ change: (inout TrackedCall) -> Void) -> Bool {
        if var call = live.removeValue(forKey: id) {
            change(&call)
            live[id] = call
            return true
        }
        guard let index = ended.lastIndex(where: { $0.event.callID == id }) else { return false }
        change(&ended[index])
        return true
    }

    /// Records that `ruleID` fired for call `id`.
    public mutating func markFired(_ ruleID: String, call id: String) {
        if live[id]?.firedRuleIDs.insert(ruleID) != nil {
            return  // one lookup, changed in place
        } else if let index = ended.lastIndex(where: { $0.event.callID == id }) {
            ended[index].firedRuleIDs.insert(ruleID)
        }
    }

    /// Drops calls not heard of for `maximumAge`.
    public mutating func expire(now: ContinuousClock.Instant) {
        guard let oldestSeen, now - oldestSeen > maximumAge else { return }
        live = live.filter { now - $0.value.lastSeen <= maximumAge }
        self.oldestSeen = live.values.lazy.map(\.lastSeen).min()
    }

    private mutating func remember(_ call: TrackedCall) {
        // Ids in the ring are unique: a call back from the ring is taken out of it first.
        ended.append(call)
        endedIDs.insert(call.event.callID)
        if ended.count > 2 * endedMemory {
            // Trim in batches, so the ring's shifting costs nothing per call on average.
            for gone in ended.prefix(ended.count - endedMemory) { endedIDs.remove(gone.event.callID) }
            ended.removeFirst(ended.count - endedMemory)
        }
    }

    /// Later events often omit what earlier ones said (names, the dialled number): keep it.
    private static func merge(_ old: inout CallEvent, with new: CallEvent) {
        var merged = new
        merged.direction = old.direction
        if merged.remoteNumber.isEmpty { merged.remoteNumber = old.remoteNumber }
        if merged.remoteName.isEmpty { merged.remoteName = old.remoteName }
        if merged.calledNumber.isEmpty { merged.calledNumber = old.calledNumber }
        if merged.channel.isEmpty { merged.channel = old.channel }
        if merged.tags.isEmpty { merged.tags = old.tags }
        if merged.userNumber == nil { merged.userNumber = old.userNumber }
        if merged.userName == nil { merged.userName = old.userName }
        old = merged
    }
}
