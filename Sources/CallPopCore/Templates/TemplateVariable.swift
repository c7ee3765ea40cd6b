/// A `{VARIABLE}` a popup template can use.
public enum TemplateVariable: String, Sendable, Hashable, CaseIterable {
    /// The other party's number (caller on incoming calls, called number on outgoing ones).
    case callerNumber = "CALLERNUM"
    /// The other party's name.
    case callerName = "CALLERNAME"
    /// The user's own number (extension).
    case userNumber = "USERNUM"
    /// The user's own name.
    case userName = "USERNAME"
    /// `incoming` or `outgoing`.
    case callType = "CALLTYPE"
    /// The call's tags, comma-separated.
    case tags = "TAGS"
    /// The user's channel.
    case channel = "CHANNEL"
    /// The number that was dialled: the DID or queue on incoming calls.
    case calledNumber = "CALLEDNUM"
    /// The call's id.
    case callID = "CALLID"
    /// The name caller lookup found (`[[directory]]`); empty when the caller is unknown.
    case contactName = "CONTACTNAME"
    /// The organisation caller lookup found.
    case contactOrganisation = "CONTACTORG"
    /// The URL of the contact's record (on a host its directory allows); a rule may open it
    /// as a whole URL: `url = "{CONTACTURL}"`.
    case contactURL = "CONTACTURL"
    /// The directory's id of the contact's record.
    case contactID = "CONTACTID"
    /// The name of the directory that knew the caller.
    case directory = "DIRECTORY"
    /// Callbacks only: the event, `new`, `updated` or `ended`.
    case event = "EVENT"
    /// Callbacks only, on `ended`: seconds from answer to hang-up, 0 when unanswered.
    case duration = "DURATION"
    /// Callbacks only, on `ended`: `answered`, `missed`, `answered-elsewhere`, `busy` or `failed`.
    case disposition = "DISPOSITION"
    /// Click-to-dial (`[dial]` templates) only: the number as the PBX dials it.
    case dialNumber = "DIALNUM"

    /// Whether only callbacks know the value (popups fire before a call has these).
    public var isCallbackOnly: Bool {
        switch self {
        case .event, .duration, .disposition: true
        default: false
        }
    }

    /// Whether only `[dial]` templates know the value.
    public var isDialOnly: Bool { self == .dialNumber }

    /// Whether the value comes from caller lookup (a rule using it waits for the answer).
    public var isContact: Bool {
        switch self {
        case .contactName, .contactOrganisation, .contactURL, .contactID, .directory: true
        default: false
        }
    }

    /// Whether the variable holds a phone number (and so takes the number forms).
    public var isNumber: Bool {
        switch self {
        case .callerNumber, .userNumber, .calledNumber, .dialNumber: true
        default: false
        }
    }

    /// The environment variable an app target receives this value in.
    public var environmentName: String { "CALLPOP_" + rawValue }
}

/// How a variable's value is changed before it is inserted.
public enum TemplateTransform: Sendable, Hashable {
    /// The value as it is.
    case none
    /// `{VAR:N}`: the first N characters removed.
    case dropFirst(Int)
    /// `{VAR:e164}`: the number in E.164 form, `+442071234567`.
    case e164
    /// `{VAR:national}`: the number as dialled within the user's country, `02071234567`.
    case national
    /// `{VAR:digits}`: only the digits, `442071234567`.
    case digits

    /// The modifier as written after the colon, for messages.
    public var spelling: String {
        switch self {
        case .none: ""
        case .dropFirst(let n): String(n)
        case .e164: "e164"
        case .national: "national"
        case .digits: "digits"
        }
    }
}
