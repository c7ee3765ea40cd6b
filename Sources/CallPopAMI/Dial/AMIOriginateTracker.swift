/// Follows click-to-dial Originates to their outcome. Pure: the I/O layer tells it what
/// was sent, what arrived and when a deadline passed, and shows the outcomes it returns.
///
/// With `Async: true` the `Response` only says the request was queued; the outcome is the
/// `OriginateResponse` event with the same `ActionID`, when the user's phone answers or
/// fails (Asterisk 22, `click-to-dial/scenario.md`). A `Response: Error` is an outcome at
/// once ("Extension does not exist.").
///
/// A failed `OriginateResponse` says little (`Reason: 0` for a phone that answered 486
/// Busy), so the tracker also watches the user's leg: its `DialEnd` status and `Hangup`
/// cause. The leg is known by its `Uniqueid` when the Originate carried a `ChannelId`,
/// else by the first dial without a calling `Channel:` to a channel of the device. Those
/// events come within a millisecond of the `OriginateResponse`, before or after it, so a
/// failure without them waits up to `failureGrace` for them.
public struct AMIOriginateTracker: Sendable {
    /// How long to wait for the `Response` after sending.
    public let responseTimeout: Duration
    /// How long a failure waits for the leg's hangup cause.
    public let failureGrace: Duration
    /// The most Originates followed at once; beyond it the oldest is given up.
    public static let maxPending = 16

    private struct Pending: Sendable {
        var originate: AMIOriginate
        var queued = false
        var deadline: ContinuousClock.Instant
        var legUniqueID: String?
        var legName: String?
        var dialStatus: String?
        var hangupCause: Int?
        /// A failure waiting for the leg's cause.
        var failure: AMIOriginateOutcome?
    }

    private var pending: [Pending] = []

    /// Creates a tracker.
    public init(responseTimeout: Duration = .seconds(10), failureGrace: Duration = .milliseconds(500)) {
        self.responseTimeout = responseTimeout
        self.failureGrace = failureGrace
    }

    /// Originates whose outcome is not known yet.
    public var pendingCount: Int { pending.count }

    /// When `deadlinePassed` must be called next, or `nil`.
    public var nextDeadline: ContinuousClock.Instant? { pending.map(\.deadline).min() }

    /// `originate` was written to the connection at `now`. Returns the outcome of an
    /// Originate given up to make room, if any.
    public mutating func sent(_ originate: AMIOriginate, at now: ContinuousClock.Instant) -> [AMIOriginateOutcome] {
        var dropped: [AMIOriginateOutcome] = []
        if pending.count >= Self.maxPending { dropped.append(outcome(of: pending.removeFirst(), .timedOut)) }
        pending.append(Pending(originate: originate, deadline: now + responseTimeout, legUniqueID: originate.channelID))
        return dropped
    }

    /// One message from the PBX; returns the outcomes it settles.
    public mutating func handle(_ message: AMIMessage, at now: ContinuousClock.Instant) -> [AMIOriginateOutcome] {
        guard !pending.isEmpty else { return [] }
        guard let event = message.event else { return response(message) }
        switch event.lowercased() {
        case "originateresponse": return originateResponse(message, at: now)
        case "dialbegin": learnLeg(message)
        case "dialend": return legEvent(message) { $0.dialStatus = message["DialStatus"].map(AMIText.clean) }
        case "hangup": return legEvent(message) { $0.hangupCause = message["Cause"].flatMap { Int($0) } }
        default: break
        }
        return []
    }

    /// Deadlines that passed: Originates without an outcome in time, failures whose
    /// cause did not come.
    public mutating func deadlinePassed(at now: ContinuousClock.Instant) -> [AMIOriginateOutcome] {
        let (due, open) = (pending.filter { $0.deadline <= now }, pending.filter { $0.deadline > now })
        pending = open
        return due.map { $0.failure ?? outcome(of: $0, .timedOut) }
    }

    /// The connection ended: every Originate still open is settled as lost.
    public mutating func connectionLost() -> [AMIOriginateOutcome] {
        defer { pending = [] }
        return pending.map { $0.failure ?? outcome(of: $0, .connectionLost) }
    }

    // MARK: - Input

    private mutating func response(_ message: AMIMessage) -> [AMIOriginateOutcome] {
        guard let status = message.response, let index = index(ofActionID: message.actionID) else { return [] }
        if status.caseInsensitiveEquals("Success") {
            pending[index].queued = true
            pending[index].deadline = pending[index].deadline + pending[index].originate.timeout
            return []
        }
        var refused = outcome(of: pending.remove(at: index), .refused)
        refused.pbxMessage = AMIText.cleanOrNil(message["Message"]).map { String($0.prefix(200)) }
        return [refused]
    }

    private mutating func originateResponse(_ message: AMIMessage, at now: ContinuousClock.Instant) -> [AMIOriginateOutcome] {
        guard let index = index(ofActionID: message.actionID) else { return [] }
        let reason = message["Reason"].flatMap { Int($0) }
        if let uniqueID = AMIText.cleanOrNil(message["Uniqueid"]) { pending[index].legUniqueID = uniqueID }
        if let channel = AMIText.cleanOrNil(message["Channel"]), isLeg(channel, of: pending[index].originate) {
            pending[index].legName = channel
        }
        if message.response?.caseInsensitiveEquals("Success") == true {
            var answered = outcome(of: pending.remove(at: index), .answered)
            answered.reasonCode = reason
            return [answered]
        }
        var failure = outcome(of: pending[index], .failed)
        failure.reasonCode = reason
        pending[index].failure = failure
        guard pending[index].hangupCause != nil else {
            pending[index].deadline = now + failureGrace
            return []
        }
        return [settleFailure(at: index)]
    }

    /// A dial without a calling `Channel:` to a channel of the Originate's device is its leg.
    private mutating func learnLeg(_ message: AMIMessage) {
        guard message["Channel"] == nil, let dest = message["DestChannel"], let uniqueID = message["DestUniqueid"] else { return }
        if pending.contains(where: { $0.legUniqueID == uniqueID }) {
            if let index = pending.firstIndex(where: { $0.legUniqueID == uniqueID }) { pending[index].legName = AMIText.clean(dest) }
            return
        }
        if let index = pending.firstIndex(where: { $0.legUniqueID == nil && isLeg(dest, of: $0.originate) }) {
            pending[index].legUniqueID = uniqueID
            pending[index].legName = AMIText.clean(dest)
        }
    }

    /// An event of an Originate's leg (by `Uniqueid`, or `DestUniqueid` for dial events).
    private mutating func legEvent(_ message: AMIMessage, _ update: (inout Pending) -> Void) -> [AMIOriginateOutcome] {
        let uniqueID = message["Channel"] == nil ? message["DestUniqueid"] : message["Uniqueid"]
        guard let uniqueID, let index = pending.firstIndex(where: { $0.legUniqueID == uniqueID }) else { return [] }
        update(&pending[index])
        guard pending[index].failure != nil, pending[index].hangupCause != nil else { return [] }
        return [settleFailure(at: index)]
    }

    private mutating func settleFailure(at index: Int) -> AMIOriginateOutcome {
        let entry = pending.remove(at: index)
        var failure = entry.failure ?? outcome(of: entry, .failed)
        failure.dialStatus = entry.dialStatus
        failure.hangupCause = entry.hangupCause
        failure.channel = entry.legName ?? failure.channel
        failure.callID = entry.legUniqueID
        failure.result = AMIOriginateOutcome.failureResult(
            hangupCause: entry.hangupCause, dialStatus: entry.dialStatus, reasonCode: failure.reasonCode)
        return failure
    }

    /// `PJSIP/201-0000002a` is a channel of the device `PJSIP/201` (the failed
    /// `OriginateResponse` names the device itself instead).
    private func isLeg(_ channel: String, of originate: AMIOriginate) -> Bool {
        channel.lowercased().hasPrefix(originate.channel.lowercased() + "-")
    }

    private func index(ofActionID actionID: String?) -> Int? {
        guard let actionID else { return nil }
        return pending.firstIndex { $0.originate.actionID == actionID }
    }

    private func outcome(of entry: Pending, _ result: AMIOriginateOutcome.Result) -> AMIOriginateOutcome {
        AMIOriginateOutcome(
            actionID: entry.originate.actionID, result: result, exten: entry.originate.exten,
            device: entry.originate.channel, channel: entry.legName, callID: entry.legUniqueID,
            dialStatus: entry.dialStatus, hangupCause: entry.hangupCause)
    }
}
