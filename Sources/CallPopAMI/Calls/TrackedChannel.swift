import CallPopCore

/// What the mapper knows about one of the user's channels.
struct TrackedChannel: Sendable {
    var uniqueID: String
    var name: String
    var linkedID: String
    /// `nil` until a dial shows which way the call goes.
    var direction: CallDirection?
    var remoteNumber = ""
    var remoteName = ""
    var calledNumber = ""
    var userNumber: String?
    var userName: String?
    var isColleague: Bool?
    /// The furthest state already emitted; events never go backwards.
    var emitted: CallState?
    /// Why the call failed to connect, from a `DialEnd` status or the `Hangup` cause.
    var endCause: CallEndCause?
    /// Insertion order, for evicting the oldest when the table is full.
    var sequence: Int

    /// The event for `state`, with hostile text cleaned.
    func event(_ state: CallState, answeredElsewhere: Bool = false) -> CallEvent? {
        guard let direction else { return nil }
        return CallEvent(
            callID: linkedID, state: state, direction: direction,
            remoteNumber: remoteNumber, remoteName: remoteName, calledNumber: calledNumber,
            userNumber: userNumber, userName: userName, isColleague: isColleague,
            channel: name, answeredElsewhere: answeredElsewhere,
            endCause: state == .ended && emitted != .answered && !answeredElsewhere ? endCause : nil)
    }

    /// Takes the connected line (the other party) from an event on this channel, when known.
    mutating func updateConnectedLine(from message: AMIMessage) {
        let number = AMIText.clean(message["ConnectedLineNum"])
        if !number.isEmpty { remoteNumber = number }
        let name = otherPartyName(AMIText.clean(message["ConnectedLineName"]))
        if !name.isEmpty { remoteName = name }
    }

    /// `name`, unless it is the user's own: `Dial()` copies the caller's name onto a callee
    /// that has none, so a placed call shows the user's name for the far end.
    func otherPartyName(_ name: String) -> String {
        name == userName ? "" : name
    }
}

extension TrackedChannel {
    /// Moves the channel forward to `state`, returning each state not yet emitted (an answer
    /// without a ringing first gets its ringing, unless `ringFirst` is false).
    mutating func advance(to state: CallState, ringFirst: Bool) -> [CallEvent] {
        guard direction != nil else { return [] }
        var events: [CallEvent] = []
        if emitted == nil, state == .answered, ringFirst, let ringing = event(.ringing) {
            events.append(ringing)
            emitted = .ringing
        }
        guard Self.rank(state) > Self.rank(emitted), let event = event(state) else { return events }
        emitted = state
        events.append(event)
        return events
    }

    /// Where a state lies on the way forward: nothing emitted, ringing, answered.
    private static func rank(_ state: CallState?) -> Int {
        switch state {
        case nil: 0
        case .ringing: 1
        case .answered: 2
        case .ended: 3
        }
    }
}

/// Cleaning of text that comes from the PBX (caller ID is typed by strangers).
enum AMIText {
    /// Maps Asterisk's `<unknown>` placeholder and `nil` to "", and cleans the rest with
    /// the one policy for hostile text (a call variable's rule: it becomes one).
    static func clean(_ value: String?) -> String {
        guard let value, value != "<unknown>" else { return "" }
        return UntrustedText.templateValue(value)
    }

    /// Like `clean`, but `nil` when nothing is left.
    static func cleanOrNil(_ value: String?) -> String? {
        let text = clean(value)
        return text.isEmpty ? nil : text
    }
}
