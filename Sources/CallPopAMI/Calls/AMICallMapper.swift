public import CallPopCore

/// Turns AMI events into `CallEvent`s for the user's devices. Pure: no I/O, no clock.
///
/// Asterisk has no "direction" field, so it is derived from dials (see
/// `docs/pbx/asterisk.md`): when a user's channel is the `DestChannel` of a
/// `DialBegin` the call is incoming; when it is the dialling `Channel`, the
/// call is outgoing. The other party is the connected line of the user's
/// channel; the call id is `Linkedid`, shared by every leg of one call.
///
/// Events go forward only (ringing → answered → ended, each at most once per
/// channel), so replays after a resynchronisation never repeat a state.
/// Memory is bounded: ended channels are forgotten, and at most
/// `maxTrackedChannels` are tracked at once (the oldest is dropped first).
public struct AMICallMapper: Sendable {
    /// The user's devices and the trunks.
    public let matcher: AMIDeviceMatcher
    /// The most channels tracked at once; a user has a handful at most.
    public let maxTrackedChannels: Int

    private var channels: [String: TrackedChannel] = [:]  // by Uniqueid
    private var sequence = 0
    /// Channels already hung up, so a late snapshot cannot bring them back.
    private var ended = BoundedSet(capacity: 256)
    /// The dialled extension of each call's originating channel (`Uniqueid == Linkedid`): the DID.
    private var originExten = BoundedDictionary(capacity: 256)
    /// Channels tracked before the current resynchronisation started.
    private var resyncMark = 0

    /// Asterisk's hangup cause 26, "Answered elsewhere" (ring groups, queues, pickup).
    static let answeredElsewhereCause = "26"

    /// Creates a mapper for the devices `matcher` recognises.
    public init(matcher: AMIDeviceMatcher, maxTrackedChannels: Int = 64) {
        self.matcher = matcher
        self.maxTrackedChannels = max(1, maxTrackedChannels)
    }

    /// The events the mapper acts on (every other event changes nothing).
    public static let eventNames = AMIEventKind.allCases.map(\.name)

    /// The number of channels currently tracked (for tests of the memory bound).
    public var trackedChannelCount: Int { channels.count }

    /// Feeds one AMI event; returns the call changes it causes, in order.
    public mutating func handle(_ event: AMIMessage) -> [CallEvent] {
        guard let kind = AMIEventKind(event) else { return [] }
        switch kind {
        case .newChannel: newChannel(event); return []
        case .dialBegin: return dialBegin(event)
        case .dialState: return dialState(event)
        case .dialEnd: return dialEnd(event)
        // Events about one channel: nothing to do (and nothing to look up) while none is the user's.
        case .newState: return channels.isEmpty ? [] : newState(event)
        case .newConnectedLine:
            if !channels.isEmpty { updateOwnChannel(event) { $0.updateConnectedLine(from: event) } }
            return []
        case .bridgeEnter: return channels.isEmpty ? [] : advanceOwnChannel(event, to: .answered)
        case .rename:
            if !channels.isEmpty { rename(event) }
            return []
        case .hangup: return hangup(event)
        case .originateResponse: return originateResponse(event)
        }
    }

    // MARK: - Events

    private mutating func newChannel(_ event: AMIMessage) {
        guard let uniqueID = event["Uniqueid"], let linkedID = event["Linkedid"] else { return }
        if uniqueID == linkedID, let exten = AMIText.cleanOrNil(event["Exten"]) {
            originExten[linkedID] = exten
        }
        guard event.value("Channel", satisfies: matcher.isUserChannel), let channel = event["Channel"] else { return }
        _ = track(uniqueID: uniqueID, name: channel, linkedID: linkedID, own: event, dest: false)
    }

    private mutating func dialBegin(_ event: AMIMessage) -> [CallEvent] {
        let callerIsLocal = event.value("Channel", satisfies: Self.isLocal)
        if let linkedID = event["Linkedid"], originExten[linkedID] == nil, !callerIsLocal,
            let exten = AMIText.cleanOrNil(event["Exten"])
        {
            // The first real (non-Local) channel to dial in a call carries the DID or queue number;
            // with eventfilters its Newchannel may never arrive, its DialBegin does.
            originExten[linkedID] = exten
        }
        if event.value("DestChannel", satisfies: matcher.isUserChannel), let dest = event["DestChannel"],
            let uniqueID = event["DestUniqueid"], let linkedID = event["DestLinkedid"] ?? event["Linkedid"]
        {
            guard event["Channel"] != nil else {
                // Dialled with no calling channel: an Originate rings the user's phone to place
                // a call (click-to-dial). Not incoming; it becomes outgoing when it dials out.
                _ = track(uniqueID: uniqueID, name: dest, linkedID: linkedID, own: event, dest: true)
                return []
            }
            return incomingDial(event, to: dest, uniqueID: uniqueID, linkedID: linkedID)
        }
        if !callerIsLocal, event.value("Channel", satisfies: matcher.isUserChannel), let caller = event["Channel"],
            let uniqueID = event["Uniqueid"], let linkedID = event["Linkedid"]
        {
            return outgoingDial(event, from: caller, uniqueID: uniqueID, linkedID: linkedID)
        }
        return []
    }

    /// The user's channel `dest` is being dialled by the caller's channel.
    private mutating func incomingDial(
        _ event: AMIMessage, to dest: String, uniqueID: String, linkedID: String
    ) -> [CallEvent] {
        let caller = event["Channel"] ?? ""
        if Self.isLocal(caller), caller.hasSuffix(";2") {
            // A Local channel of the user (FreePBX queues, ring groups) dials the real phone:
            // follow the phone's leg from now on, not the Local half, so the call is reported once.
            supersedeLocalLeg(String(caller.dropLast()) + "1")
        }
        guard var tracked = track(uniqueID: uniqueID, name: dest, linkedID: linkedID, own: event, dest: true)
        else { return [] }
        if tracked.direction == nil {
            tracked.direction = .incoming
            tracked.remoteNumber = AMIText.clean(event["DestConnectedLineNum"])
            tracked.remoteName = AMIText.clean(event["DestConnectedLineName"])
            if tracked.remoteNumber.isEmpty { tracked.remoteNumber = AMIText.clean(event["CallerIDNum"]) }
            if tracked.remoteName.isEmpty { tracked.remoteName = AMIText.clean(event["CallerIDName"]) }
            tracked.calledNumber = originExten[linkedID] ?? AMIText.clean(event["Exten"])
            tracked.isColleague = matcher.isColleague(channel: caller, number: AMIText.clean(event["CallerIDNum"]))
        }
        channels[uniqueID] = tracked
        return event.value("DestChannelStateDesc", equalsIgnoringCase: "ringing") ? advance(uniqueID, to: .ringing) : []
    }

    /// The user's channel `caller` dials: the call is being placed now (call generation).
    private mutating func outgoingDial(
        _ event: AMIMessage, from caller: String, uniqueID: String, linkedID: String
    ) -> [CallEvent] {
        guard var tracked = track(uniqueID: uniqueID, name: caller, linkedID: linkedID, own: event, dest: false)
        else { return [] }
        if tracked.direction == nil {
            tracked.direction = .outgoing
            let dialled = AMIText.clean(event["Exten"])
            tracked.calledNumber = dialled
            tracked.remoteNumber = AMIText.clean(event["DestCallerIDNum"])
            if tracked.remoteNumber.isEmpty { tracked.remoteNumber = dialled }
            tracked.remoteName = tracked.otherPartyName(AMIText.clean(event["DestCallerIDName"]))
            tracked.isColleague = matcher.isColleague(
                channel: event["DestChannel"] ?? "", number: AMIText.clean(event["DestCallerIDNum"]))
        }
        channels[uniqueID] = tracked
        return advance(uniqueID, to: .ringing)
    }

    static func isLocal(_ channel: String) -> Bool {
        var channel = channel
        return channel.withUTF8 { isLocal($0) }
    }

    static func isLocal(_ channel: UnsafeBufferPointer<UInt8>) -> Bool {
        channel.count >= 6 && AMIBytes.equalsIgnoringCase(UnsafeBufferPointer(rebasing: channel[..<6]), "local/")
    }

    /// Stops following the user's Local `;1` leg named `name` (its real phone leg takes over).
    private mutating func supersedeLocalLeg(_ name: String) {
        guard let local = channels.values.first(where: { $0.name == name }), local.emitted == nil else { return }
        channels[local.uniqueID] = nil
        ended.insert(local.uniqueID)
    }

    private mutating func dialState(_ event: AMIMessage) -> [CallEvent] {
        guard event.value("DialStatus", equalsIgnoringCase: "RINGING"),
            event.value("DestChannel", satisfies: matcher.isUserChannel), let uniqueID = event["DestUniqueid"]
        else { return [] }
        return advance(uniqueID, to: .ringing)
    }

    private mutating func dialEnd(_ event: AMIMessage) -> [CallEvent] {
        guard event.value("DialStatus", equalsIgnoringCase: "ANSWER") else {
            // Only the user's channels keep an end cause: nothing to look at while none is tracked.
            if !channels.isEmpty { noteEndCause(Self.endCause(dialStatus: event["DialStatus"]), event) }
            return []
        }
        // Without a calling channel it is an Originate's leg: the user answered their own phone.
        if event.value("DestChannel", satisfies: matcher.isUserChannel), let uniqueID = event["DestUniqueid"],
            event.withValue("Channel", { $0 != nil })
        {
            return advance(uniqueID, to: .answered)
        }
        if event.value("Channel", satisfies: matcher.isUserChannel), let uniqueID = event["Uniqueid"] {
            return advance(uniqueID, to: .answered)
        }
        return []
    }

    /// `Newstate`: the user's phone rings, or is picked up. For outgoing calls
    /// `Up` is not trusted (a dialplan may answer the caller before dialling);
    /// `DialEnd ANSWER` and `BridgeEnter` say when the far end answered.
    private mutating func newState(_ event: AMIMessage) -> [CallEvent] {
        guard let index = ownChannel(event) else { return [] }
        channels.values[index].updateConnectedLine(from: event)
        guard channels.values[index].direction == .incoming else { return [] }
        if event.value("ChannelStateDesc", equalsIgnoringCase: "ringing") { return advance(at: index, to: .ringing) }
        if event.value("ChannelStateDesc", equalsIgnoringCase: "up") { return advance(at: index, to: .answered) }
        return []
    }

    /// An Originate's user leg was answered and now dials `Exten` (click-to-dial): the call is
    /// being placed. Comes before or after the leg's own `DialBegin` to the number.
    private mutating func originateResponse(_ event: AMIMessage) -> [CallEvent] {
        guard event["Response"]?.lowercased() == "success", let channel = event["Channel"],
            matcher.isUserChannel(channel), let uniqueID = event["Uniqueid"],
            var tracked = track(uniqueID: uniqueID, name: channel, linkedID: uniqueID, own: event, dest: false)
        else { return [] }
        if tracked.direction == nil {
            tracked.direction = .outgoing
            tracked.calledNumber = AMIText.clean(event["Exten"])
            tracked.remoteNumber = tracked.calledNumber
            tracked.remoteName = ""
        }
        channels[uniqueID] = tracked
        return advance(uniqueID, to: .ringing)
    }

    private mutating func rename(_ event: AMIMessage) {
        updateOwnChannel(event) { tracked in
            if let newName = event["Newname"] { tracked.name = AMIText.clean(newName) }
        }
    }

    private mutating func hangup(_ event: AMIMessage) -> [CallEvent] {
        guard let uniqueID = event["Uniqueid"] else { return [] }
        if !originExten.isEmpty, event.value("Linkedid", satisfies: { AMIBytes.equal($0, uniqueID) }) {
            originExten[uniqueID] = nil
        }
        guard var tracked = channels.removeValue(forKey: uniqueID) else { return [] }
        ended.insert(uniqueID)
        guard tracked.emitted != nil else { return [] }
        tracked.updateConnectedLine(from: event)
        if tracked.endCause == nil { tracked.endCause = Self.endCause(hangupCause: event["Cause"]) }
        let elsewhere = event["Cause"] == Self.answeredElsewhereCause && tracked.emitted != .answered
        return tracked.event(.ended, answeredElsewhere: elsewhere).map { [$0] } ?? []
    }

    /// A dial from or to one of the user's channels ended unanswered: remember why, for `ended`.
    private mutating func noteEndCause(_ cause: CallEndCause?, _ event: AMIMessage) {
        guard let cause else { return }
        for key in ["DestUniqueid", "Uniqueid"] {
            if let uniqueID = event[key], channels[uniqueID] != nil, channels[uniqueID]?.endCause == nil {
                channels[uniqueID]?.endCause = cause
            }
        }
    }

    /// `DialStatus` of an unanswered dial: `BUSY` is busy; `CONGESTION` and `CHANUNAVAIL` failed.
    static func endCause(dialStatus: String?) -> CallEndCause? {
        switch dialStatus?.uppercased() {
        case "BUSY": .busy
        case "CONGESTION", "CHANUNAVAIL": .failed
        default: nil
        }
    }

    /// Q.850 cause of a `Hangup`: 17 (user busy) is busy; causes that say the call could not be
    /// routed or the network failed are failed; normal clearing, no answer, rejection and
    /// "answered elsewhere" say nothing of the kind.
    static func endCause(hangupCause: String?) -> CallEndCause? {
        switch hangupCause {
        case "17": .busy
        case "1", "2", "3", "27", "28", "34", "38", "41", "42", "44", "47", "58": .failed
        default: nil
        }
    }

    // MARK: - Resynchronisation

    /// Marks the start of a resynchronisation: call this when `CoreShowChannels` is sent.
    public mutating func beginResync() {
        resyncMark = sequence
    }

    /// Rebuilds the state from a `CoreShowChannels` snapshot (its `CoreShowChannel` events).
    ///
    /// Calls still ringing get their ringing event if it was never emitted;
    /// calls already seen are not repeated; calls tracked before the
    /// resynchronisation that are gone from the snapshot ended while the
    /// connection was down, and get their `ended` event.
    public mutating func resync(_ snapshot: [AMIMessage]) -> [CallEvent] {
        var events: [CallEvent] = []
        var present: Set<String> = []
        for entry in snapshot {
            guard let channel = entry["Channel"], matcher.isUserChannel(channel),
                let uniqueID = entry["Uniqueid"], !ended.contains(uniqueID)
            else { continue }
            present.insert(uniqueID)
            events += resyncChannel(entry, channel: channel, uniqueID: uniqueID, snapshot: snapshot)
        }
        let vanished = channels.values.filter { $0.sequence <= resyncMark && !present.contains($0.uniqueID) }
        for tracked in vanished.sorted(by: { $0.sequence < $1.sequence }) {
            channels[tracked.uniqueID] = nil
            ended.insert(tracked.uniqueID)
            if tracked.emitted != nil, let event = tracked.event(.ended) { events.append(event) }
        }
        return events
    }

    private mutating func resyncChannel(
        _ entry: AMIMessage, channel: String, uniqueID: String, snapshot: [AMIMessage]
    ) -> [CallEvent] {
        let linkedID = entry["Linkedid"] ?? uniqueID
        guard var tracked = track(uniqueID: uniqueID, name: channel, linkedID: linkedID, own: entry, dest: false)
        else { return [] }
        tracked.updateConnectedLine(from: entry)
        let application = entry["Application"]?.lowercased() ?? ""
        if tracked.direction == nil {
            // A dialled leg runs `AppDial` (or `AppQueue` for queue members); a dialling one runs `Dial`.
            let origin = snapshot.first { $0["Uniqueid"] == linkedID && $0["Uniqueid"] != uniqueID }
            switch application {
            case "appdial", "appqueue":
                tracked.direction = .incoming
                tracked.calledNumber = AMIText.clean(origin?["Exten"] ?? entry["Exten"])
                tracked.isColleague = origin.flatMap {
                    matcher.isColleague(channel: $0["Channel"] ?? "", number: AMIText.clean($0["CallerIDNum"]))
                }
            case "dial":
                tracked.direction = .outgoing
                tracked.calledNumber = AMIText.clean(entry["Exten"])
                if tracked.remoteNumber.isEmpty { tracked.remoteNumber = tracked.calledNumber }
            default:
                break
            }
        }
        channels[uniqueID] = tracked
        guard let direction = tracked.direction else { return [] }
        let state = entry["ChannelStateDesc"]?.lowercased() ?? ""
        let bridged = !(entry["BridgeId"] ?? "").isEmpty
        let answered = direction == .incoming ? state == "up" : bridged
        if answered {
            // Seen for the first time already answered: report the state it is in, not a ringing it no longer is.
            return advance(uniqueID, to: .answered, ringFirst: tracked.emitted != nil)
        }
        return advance(uniqueID, to: .ringing)
    }

    // MARK: - Tracking

    /// Finds or starts tracking a user's channel; `nil` for channels already hung up. `dest`:
    /// the channel is the event's `Dest…` side, whose caller ID is in `DestCallerIDNum`.
    private mutating func track(
        uniqueID: String, name: String, linkedID: String, own event: AMIMessage, dest: Bool
    ) -> TrackedChannel? {
        if let tracked = channels[uniqueID] { return tracked }
        guard !ended.contains(uniqueID) else { return nil }
        // The call id is the Linkedid; a blank one (or one that cleans to nothing) makes the
        // channel its own call, and a channel without any id is not followed: calls with an
        // empty id would all merge into one.
        let linked = AMIText.clean(linkedID)
        let callID = linked.isEmpty ? AMIText.clean(uniqueID) : linked
        guard !callID.isEmpty else { return nil }
        if channels.count >= maxTrackedChannels,
            let oldest = channels.values.min(by: { $0.sequence < $1.sequence })
        {
            channels[oldest.uniqueID] = nil
        }
        sequence += 1
        let tracked = TrackedChannel(
            uniqueID: uniqueID, name: AMIText.clean(name), linkedID: callID,
            userNumber: AMIText.cleanOrNil(event[dest ? "DestCallerIDNum" : "CallerIDNum"]),
            userName: AMIText.cleanOrNil(event[dest ? "DestCallerIDName" : "CallerIDName"]), sequence: sequence)
        channels[uniqueID] = tracked
        return tracked
    }

    /// Where the channel an event is about (its `Uniqueid`) is tracked, if it is one of the user's.
    /// Tracked channels are changed in place through this index: events about the user's
    /// channels come by the dozen per call, and copying a channel in and out costs more than the change.
    private func ownChannel(_ event: AMIMessage) -> Dictionary<String, TrackedChannel>.Index? {
        guard let uniqueID = event["Uniqueid"] else { return nil }
        return channels.index(forKey: uniqueID)
    }

    private mutating func updateOwnChannel(_ event: AMIMessage, _ change: (inout TrackedChannel) -> Void) {
        guard let index = ownChannel(event) else { return }
        change(&channels.values[index])
    }

    private mutating func advanceOwnChannel(_ event: AMIMessage, to state: CallState) -> [CallEvent] {
        guard let index = ownChannel(event) else { return [] }
        channels.values[index].updateConnectedLine(from: event)
        return advance(at: index, to: state)
    }

    /// Moves a channel forward to `state`, emitting each state not yet emitted
    /// (an answer without a ringing first gets its ringing, unless `ringFirst` is false).
    private mutating func advance(_ uniqueID: String, to state: CallState, ringFirst: Bool = true) -> [CallEvent] {
        guard let index = channels.index(forKey: uniqueID) else { return [] }
        return advance(at: index, to: state, ringFirst: ringFirst)
    }

    private mutating func advance(at index: Dictionary<String, TrackedChannel>.Index, to state: CallState, ringFirst: Bool = true)
        -> [CallEvent]
    {
        // In place: reading `channels.values[index]` copies the whole channel each time.
        channels.values[index].advance(to: state, ringFirst: ringFirst)
    }
}
