/// The values of the template variables for one call, cleaned once with
/// `UntrustedText.templateValue` (caller ID is typed by strangers).
///
/// One stored property per variable: made for every call event a rule looks at, so no
/// dictionary to build and hash.
public struct CallVariables: Sendable, Hashable {
    private var callerNumber: String
    private var callerName: String
    private var userNumber: String
    private var userName: String
    private var callType: String
    private var tags: String
    private var channel: String
    private var calledNumber: String
    private var callID: String
    // Callbacks only (`addingCallbackValues`).
    private var event = ""
    private var duration = ""
    private var disposition = ""
    /// The plan the number forms use.
    public var numberPlan: NumberPlan

    /// Values for `event`, with the user's number and name from the configuration
    /// when the event does not carry them.
    public init(event: CallEvent, user: UserIdentity) {
        numberPlan = user.numberPlan
        callerNumber = UntrustedText.templateValue(event.remoteNumber)
        callerName = UntrustedText.templateValue(event.remoteName)
        userNumber = UntrustedText.templateValue(event.userNumber ?? user.number)
        userName = UntrustedText.templateValue(event.userName ?? user.name)
        callType = event.direction.rawValue
        tags = UntrustedText.templateValue(event.tags.joined(separator: ","))
        channel = UntrustedText.templateValue(event.channel)
        calledNumber = UntrustedText.templateValue(event.calledNumber)
        callID = UntrustedText.templateValue(event.callID)
    }

    /// The cleaned value of `variable`, untransformed.
    public subscript(_ variable: TemplateVariable) -> String {
        switch variable {
        case .callerNumber: callerNumber
        case .callerName: callerName
        case .userNumber: userNumber
        case .userName: userName
        case .callType: callType
        case .tags: tags
        case .channel: channel
        case .calledNumber: calledNumber
        case .callID: callID
        case .event: event
        case .duration: duration
        case .disposition: disposition
        }
    }

    /// The value of `variable` after `transform`.
    public func value(_ variable: TemplateVariable, _ transform: TemplateTransform) -> String {
        let raw = self[variable]
        switch transform {
        case .none: return raw
        case .dropFirst(let n): return String(raw.dropFirst(n))
        case .e164: return numberPlan.e164(raw)
        case .national: return numberPlan.national(raw)
        case .digits: return numberPlan.digits(raw)
        }
    }

    /// The values with a callback's own ones set: `{EVENT}`, `{DURATION}`, `{DISPOSITION}`.
    public func addingCallbackValues(event: String, duration: String, disposition: String) -> CallVariables {
        var copy = self
        copy.event = event
        copy.duration = duration
        copy.disposition = disposition
        return copy
    }

    /// The variables as `CALLPOP_*` environment entries for app targets.
    public var environment: [(name: String, value: String)] {
        TemplateVariable.allCases.filter { !$0.isCallbackOnly }.map { ($0.environmentName, self[$0]) }
    }
}

/// Who the user is, as configured under `[user]`.
public struct UserIdentity: Sendable, Hashable {
    /// The user's own number (extension).
    public var number: String
    /// The user's name.
    public var name: String
    /// The user's numbering plan for the number forms.
    public var numberPlan: NumberPlan

    /// Creates an identity.
    public init(number: String, name: String = "", numberPlan: NumberPlan = NumberPlan()) {
        self.number = number
        self.name = name
        self.numberPlan = numberPlan
    }
}
