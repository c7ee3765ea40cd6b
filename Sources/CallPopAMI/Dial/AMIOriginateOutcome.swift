/// How a click-to-dial `Originate` ended, for the notification the user sees.
public struct AMIOriginateOutcome: Sendable, Hashable, CustomStringConvertible {
    /// What happened.
    public enum Result: String, Sendable, Hashable, CaseIterable {
        /// The user's phone answered; the PBX now dials the number.
        case answered
        /// The user's phone was busy or declined the call as busy.
        case busy
        /// The user's phone rang until the timeout.
        case noAnswer
        /// The user's phone rejected the call (or hung up before answering).
        case rejected
        /// The user's phone is not reachable (not registered, no route).
        case unavailable
        /// The PBX or network is congested.
        case congested
        /// The PBX refused the action (`Response: Error`): no such extension, no permission, ...
        case refused
        /// The PBX reported a failure without saying why.
        case failed
        /// No outcome in time.
        case timedOut
        /// The connection to the PBX ended before the outcome was known.
        case connectionLost
        /// Not sent: callpop was not logged in to the PBX.
        case notConnected
    }

    /// The Originate's `ActionID`.
    public var actionID: String
    /// What happened.
    public var result: Result
    /// The number that was (or would have been) dialled.
    public var exten: String
    /// The device rung first, `PJSIP/201`.
    public var device: String
    /// The originated channel, `PJSIP/201-00000000`, when known.
    public var channel: String?
    /// Its `Uniqueid` (the `ChannelId` sent, or Asterisk's), which is the call's `Linkedid`.
    public var callID: String?
    /// The `Reason` of the `OriginateResponse` (an `AST_CONTROL_*` value: 4 answered,
    /// 5 busy, 3 rang until the timeout, 8 congestion, 1 hung up, 0 anything else).
    public var reasonCode: Int?
    /// The `DialStatus` of the user's leg (`BUSY`, `NOANSWER`, `CHANUNAVAIL`, ...), when seen.
    public var dialStatus: String?
    /// The hangup cause of the user's leg (`17` user busy, `19` no answer, ...), when seen.
    public var hangupCause: Int?
    /// The PBX's own words (`Extension does not exist.`), cleaned of control characters.
    public var pbxMessage: String?

    /// Creates an outcome.
    public init(
        actionID: String, result: Result, exten: String, device: String, channel: String? = nil,
        callID: String? = nil, reasonCode: Int? = nil, dialStatus: String? = nil, hangupCause: Int? = nil,
        pbxMessage: String? = nil
    ) {
        self.actionID = actionID
        self.result = result
        self.exten = exten
        self.device = device
        self.channel = channel
        self.callID = callID
        self.reasonCode = reasonCode
        self.dialStatus = dialStatus
        self.hangupCause = hangupCause
        self.pbxMessage = pbxMessage
    }

    /// `true` when the user's phone answered and the PBX dials out.
    public var succeeded: Bool { result == .answered }

    /// A sentence for the notification and the log.
    public var description: String {
        let callTo = "the call to \(exten)"
        switch result {
        case .answered: return "your phone answered; the PBX is dialling \(exten)"
        case .busy: return "\(callTo) was not placed: your phone (\(device)) was busy or declined it"
        case .noAnswer: return "\(callTo) was not placed: your phone (\(device)) did not answer"
        case .rejected: return "\(callTo) was not placed: your phone (\(device)) rejected it"
        case .unavailable: return "\(callTo) was not placed: your phone (\(device)) is not reachable; is it registered?"
        case .congested: return "\(callTo) was not placed: the PBX is congested"
        case .refused: return "\(callTo) was refused by the PBX: \(pbxMessage ?? "no reason given")"
        case .failed: return "\(callTo) failed" + (reasonCode.map { " (the PBX gave reason \($0))" } ?? "")
        case .timedOut: return "\(callTo): no outcome from the PBX in time"
        case .connectionLost: return "\(callTo): the connection to the PBX ended before the outcome was known"
        case .notConnected: return "\(callTo) was not placed: callpop is not connected to the PBX"
        }
    }

    /// The result a failed Originate had, from the best evidence: the hangup cause of the
    /// user's leg, then its dial status, then the Originate's reason code.
    static func failureResult(hangupCause: Int?, dialStatus: String?, reasonCode: Int?) -> Result {
        switch hangupCause {
        case 17: return .busy
        case 18, 19: return .noAnswer
        case 21: return .rejected
        case 1, 3, 20, 27, 38: return .unavailable
        case 34, 42: return .congested
        default: break
        }
        switch dialStatus?.uppercased() {
        case "BUSY": return .busy
        case "NOANSWER": return .noAnswer
        case "CHANUNAVAIL": return .unavailable
        case "CONGESTION": return .congested
        default: break
        }
        switch reasonCode {
        case 5: return .busy
        case 3: return .noAnswer
        case 1: return .rejected
        case 8: return .congested
        default: return .failed
        }
    }
}
