public import CallPopCore

/// Turns the dialog-info documents of one watched extension into `CallEvent`s.
///
/// A pure value: fed documents in arrival order, it returns the events to emit.
/// It relies on no field that one of the recorded servers leaves out:
/// - Asterisk reuses one dialog id (the extension) for every call, sends no call-id,
///   sends direction and the remote identity only in `early`, shows outbound calls
///   straight as `confirmed`, and starts with a dummy `terminated` at version 0.
/// - Kamailio sends a dialog per call with its call-id, never display names, `Trying`
///   capitalised, bodyless NOTIFYs for "no dialogs", several dialogs per document.
///
/// Mapping (RFC 4235 states → call states):
/// - `trying`/`proceeding`/`early` → `ringing`: `recipient` is incoming, `initiator`
///   outgoing; without a direction, `trying`/`proceeding` (initiator-only states) are
///   outgoing and `early` incoming.
/// - `confirmed` → `answered`, in the direction known so far; a dialog first seen
///   confirmed with no `recipient` direction is an outgoing call (Asterisk). No
///   `ringing` is invented for it: the dial phase was never observed.
/// - `terminated`, or a dialog missing from a `full` document → `ended`. A dialog that
///   ends without having been `confirmed` never yields `answered`; it is marked
///   `answeredElsewhere` only when the server says so (`event="replaced"`, the RFC 4235
///   way a pickup shows, or `code="200"`): neither Asterisk nor Kamailio sends either,
///   so with them a ring-group call taken by a colleague looks like a missed call.
/// - Only changes of the mapped state are emitted (Kamailio's `Trying` → `early`
///   yields one `ringing`); a `terminated` dialog never seen active yields nothing.
/// - Names and numbers learnt in earlier documents are kept when later ones omit them.
/// - `isColleague` is left `nil`: the core decides from the number with the configured
///   colleague patterns (the dialog package says nothing certain about it).
public struct DialogCallTracker: Sendable {
    /// The most dialogs remembered at once; the oldest finished ones are forgotten first.
    public static let maxTrackedDialogs = 256

    private struct TrackedCall: Sendable {
        var callID: String
        var dialogID: String
        var order: UInt64
        var dialogDirection: DialogInfo.Direction?
        var eventDirection: CallDirection?
        var remoteIdentity: String?
        var remoteNumber = ""
        var remoteName = ""
        var localNumber = ""
        var userName: String?
        var emitted: CallState?
        var finished = false
    }

    private let userNumber: String
    private let callIDPrefix: String
    private var lastVersion: UInt64?
    private var calls: [String: TrackedCall] = [:]
    private var counter: UInt64 = 0

    /// Creates a tracker for the extension `userNumber`; call ids are `callIDPrefix`
    /// followed by the SIP call-id, or by the dialog id and a counter when there is none
    /// (make the prefix unique per run so that ids never repeat across restarts).
    public init(userNumber: String, callIDPrefix: String) {
        self.userNumber = userNumber
        self.callIDPrefix = callIDPrefix
    }

    /// Forgets the last version: versions restart with every new subscription (RFC 4235 4.1).
    public mutating func subscriptionRestarted() {
        lastVersion = nil
    }

    /// Applies a NOTIFY body: empty means "no dialogs" (Kamailio), otherwise a dialog-info document.
    public mutating func apply(notifyBody body: [UInt8]) throws(SIPError) -> [CallEvent] {
        if body.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 || $0 == 10 }) {
            return endMissing(present: [])
        }
        return apply(try DialogInfoParser.parse(body))
    }

    /// Applies a parsed document; stale versions are ignored.
    public mutating func apply(_ info: DialogInfo) -> [CallEvent] {
        if let lastVersion, info.version <= lastVersion { return [] }
        lastVersion = info.version
        var events: [CallEvent] = []
        for dialog in info.dialogs {
            events += update(with: dialog)
        }
        if info.completeness == .full {
            events += endMissing(present: Set(info.dialogs.map(\.id)))
        }
        forgetOldFinishedCalls()
        return events
    }

    private mutating func update(with dialog: DialogInfo.Dialog) -> [CallEvent] {
        guard let state = dialog.state else { return [] }
        var call: TrackedCall
        if let existing = calls[dialog.id], !existing.finished {
            call = existing
        } else {
            // A terminated dialog never seen active: Asterisk's dummy, or an old call.
            guard state != .terminated else { return [] }
            counter += 1
            let id = dialog.callID.map { callIDPrefix + $0 } ?? "\(callIDPrefix)\(dialog.id)#\(counter)"
            call = TrackedCall(callID: id, dialogID: dialog.id, order: counter)
            if let previous = calls[dialog.id] { call.userName = previous.userName }
        }
        learn(from: dialog, into: &call)

        let target: CallState
        var answeredElsewhere = false
        var endCause: CallEndCause?
        switch state {
        case .trying, .proceeding, .early:
            target = .ringing
            if call.eventDirection == nil {
                call.eventDirection = switch call.dialogDirection {
                case .recipient: .incoming
                case .initiator: .outgoing
                case nil: state == .early ? .incoming : .outgoing
                }
            }
        case .confirmed:
            target = .answered
            if call.eventDirection == nil {
                call.eventDirection = call.dialogDirection == .recipient ? .incoming : .outgoing
            }
        case .terminated:
            target = .ended
            call.finished = true
            answeredElsewhere = call.emitted == .ringing && (dialog.stateEvent == "replaced" || dialog.stateCode == 200)
            if call.emitted == .ringing, !answeredElsewhere { endCause = Self.endCause(event: dialog.stateEvent, code: dialog.stateCode) }
        }
        defer { calls[dialog.id] = call }
        // Never go back (answered → ringing), never repeat a state, never end what never began.
        guard call.emitted != target, let direction = call.eventDirection else { return [] }
        if target == .ringing && call.emitted != nil { return [] }
        call.emitted = target
        var change = event(for: call, state: target, direction: direction, answeredElsewhere: answeredElsewhere)
        change.endCause = endCause
        return [change]
    }

    /// Why an unanswered dialog ended, from its `<state event="…" code="…">` (RFC 4235): busy
    /// or declined (486, 600, 603, or `rejected` without a code); failed (`error`, or another
    /// final failure except cancelled 487 and the no-answer codes 408 and 480).
    static func endCause(event: String?, code: Int?) -> CallEndCause? {
        if let code {
            switch code {
            case 486, 600, 603: return .busy
            case 408, 480, 487: return nil
            case 400..<700: return .failed
            default: break
            }
        }
        switch event {
        case "rejected": return .busy
        case "error": return .failed
        default: return nil
        }
    }

    private func event(for call: TrackedCall, state: CallState, direction: CallDirection, answeredElsewhere: Bool) -> CallEvent {
        CallEvent(
            callID: call.callID, state: state, direction: direction,
            remoteNumber: call.remoteNumber, remoteName: call.remoteName,
            calledNumber: direction == .incoming ? (call.localNumber.isEmpty ? userNumber : call.localNumber) : call.remoteNumber,
            userNumber: userNumber, userName: call.userName,
            channel: call.dialogID, answeredElsewhere: answeredElsewhere)
    }

    private func learn(from dialog: DialogInfo.Dialog, into call: inout TrackedCall) {
        if let direction = dialog.direction { call.dialogDirection = direction }
        if let identity = dialog.remote.identity {
            if identity != call.remoteIdentity {
                call.remoteIdentity = identity
                call.remoteNumber = Self.number(of: identity)
                call.remoteName = ""
            }
        }
        if let display = dialog.remote.display { call.remoteName = display }
        if let local = dialog.local.identity {
            let number = Self.number(of: local)
            if !number.isEmpty { call.localNumber = number }
        }
        if let display = dialog.local.display { call.userName = display }
    }

    private mutating func endMissing(present: Set<String>) -> [CallEvent] {
        var events: [CallEvent] = []
        for (id, call) in calls.sorted(by: { $0.value.order < $1.value.order }) where !present.contains(id) {
            if !call.finished, let direction = call.eventDirection, let emitted = call.emitted, emitted != .ended {
                events.append(event(for: call, state: .ended, direction: direction, answeredElsewhere: false))
            }
            calls[id] = nil
        }
        return events
    }

    private mutating func forgetOldFinishedCalls() {
        guard calls.count > Self.maxTrackedDialogs else { return }
        let excess = calls.count - Self.maxTrackedDialogs
        let victims = calls.values.sorted { ($0.finished ? 0 : 1, $0.order) < ($1.finished ? 0 : 1, $1.order) }.prefix(excess)
        for victim in victims { calls[victim.dialogID] = nil }
    }

    /// The number in an identity URI: the user part of `sip:`/`sips:`, the number of `tel:`.
    static func number(of identity: String) -> String {
        let uri = SIPURI(identity) ?? SIPAddress(identity)?.uri
        return UntrustedText.templateValue(uri?.user ?? "")
    }
}
