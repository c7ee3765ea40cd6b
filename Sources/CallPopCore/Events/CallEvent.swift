/// Which way a call goes, seen from the user.
public enum CallDirection: String, Sendable, Hashable, CaseIterable, Codable {
    /// Somebody calls the user.
    case incoming
    /// The user places the call.
    case outgoing
}

/// The state of a call as a PBX source reports it.
public enum CallState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Incoming: the user's phone rings. Outgoing: the call is being placed.
    case ringing
    /// The call is connected to the user.
    case answered
    /// The call is over for the user (hung up, cancelled, or answered elsewhere).
    case ended
}

/// Why a call that was never answered ended, when the source can tell (an AMI `Hangup`
/// cause or `DialStatus`, an NDJSON `cause`): callbacks report it as the call's disposition.
public enum CallEndCause: String, Sendable, Hashable, CaseIterable, Codable {
    /// The called party was busy or declined.
    case busy
    /// The call could not be put through (congestion, unavailable, invalid number).
    case failed
}

/// One change of one call, as delivered by a PBX source or an NDJSON line.
///
/// Every text field may come from a stranger (caller ID is typed by whoever
/// calls): nothing here is trusted, and templates encode it on expansion.
public struct CallEvent: Sendable, Hashable {
    /// A stable id for the call across its events (AMI `Linkedid`, SIP dialog id, ...).
    public var callID: String
    /// The state the call has reached.
    public var state: CallState
    /// Which way the call goes.
    public var direction: CallDirection
    /// The other party's number: the caller on incoming calls, the called number on outgoing ones.
    public var remoteNumber: String
    /// The other party's name, empty when unknown.
    public var remoteName: String
    /// The number that was dialled: the DID or queue on incoming calls, the dialled number on outgoing ones.
    public var calledNumber: String
    /// The user's own number, when the source knows it; `nil` means the configured one.
    public var userNumber: String?
    /// The user's own name, when the source knows it; `nil` means the configured one.
    public var userName: String?
    /// `true` or `false` when the source knows whether the other party is a colleague;
    /// `nil` lets the configured colleague patterns decide.
    public var isColleague: Bool?
    /// Tags the PBX attached to the call.
    public var tags: [String]
    /// The user's channel (AMI channel name, SIP dialog), empty when unknown.
    public var channel: String
    /// For `ended`: the call was answered by somebody else (ring group, queue, pickup).
    public var answeredElsewhere: Bool
    /// For `ended` of an unanswered call: busy or failed, when the source can tell.
    public var endCause: CallEndCause?

    /// Creates an event; only the id, state and direction are required.
    public init(
        callID: String, state: CallState, direction: CallDirection,
        remoteNumber: String = "", remoteName: String = "", calledNumber: String = "",
        userNumber: String? = nil, userName: String? = nil, isColleague: Bool? = nil,
        tags: [String] = [], channel: String = "", answeredElsewhere: Bool = false, endCause: CallEndCause? = nil
    ) {
        self.callID = callID
        self.state = state
        self.direction = direction
        self.remoteNumber = remoteNumber
        self.remoteName = remoteName
        self.calledNumber = calledNumber
        self.userNumber = userNumber
        self.userName = userName
        self.isColleague = isColleague
        self.tags = tags
        self.channel = channel
        self.answeredElsewhere = answeredElsewhere
        self.endCause = endCause
    }

    /// Whether the other party's number holds a digit: an anonymous or withheld call
    /// arrives as "", "anonymous", "<unknown>", "Restricted" and the like.
    public var hasRemoteNumber: Bool {
        remoteNumber.contains { $0.wholeNumberValue != nil }
    }
}
