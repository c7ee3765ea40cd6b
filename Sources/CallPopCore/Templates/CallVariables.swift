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
    // What caller lookup found; empty while nothing was found.
    private var contactName = ""
    private var contactOrganisation = ""
    private var contactURL = ""
    private var contactID = ""
    private var directory = ""
    // Callbacks and dialling only (`adding(_:)`).
    private var event = ""
    private var duration = ""
    private var disposition = ""
    private var dialNumber = ""
    /// The plan the number forms use.
    public var numberPlan: NumberPlan

    /// Values for `event`, with the user's number and name from the configuration
    /// when the event does not carry them, and what caller lookup found (`contact`).
    public init(event: CallEvent, user: UserIdentity, contact: CallerContact? = nil) {
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
        if let contact {
            // Cleaned by the directory reader already; cleaned again, as every value is.
            contactName = UntrustedText.templateValue(contact.name)
            contactOrganisation = UntrustedText.templateValue(contact.organisation)
            contactURL = UntrustedText.templateValue(contact.url)
            contactID = UntrustedText.templateValue(contact.id)
            directory = UntrustedText.templateValue(contact.directory)
        }
    }

    /// The cleaned value of `variable`, untransformed.
    public private(set) subscript(_ variable: TemplateVariable) -> String {
        get {
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
            case .contactName: contactName
            case .contactOrganisation: contactOrganisation
            case .contactURL: contactURL
            case .contactID: contactID
            case .directory: directory
            case .event: event
            case .duration: duration
            case .disposition: disposition
            case .dialNumber: dialNumber
            }
        }
        set {
            switch variable {
            case .callerNumber: callerNumber = newValue
            case .callerName: callerName = newValue
            case .userNumber: userNumber = newValue
            case .userName: userName = newValue
            case .callType: callType = newValue
            case .tags: tags = newValue
            case .channel: channel = newValue
            case .calledNumber: calledNumber = newValue
            case .callID: callID = newValue
            case .contactName: contactName = newValue
            case .contactOrganisation: contactOrganisation = newValue
            case .contactURL: contactURL = newValue
            case .contactID: contactID = newValue
            case .directory: directory = newValue
            case .event: event = newValue
            case .duration: duration = newValue
            case .disposition: disposition = newValue
            case .dialNumber: dialNumber = newValue
            }
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

    /// The values with `extra` ones set (a callback's `{EVENT}`, `{DURATION}`, `{DISPOSITION}`,
    /// a dial's `{DIALNUM}`).
    public func adding(_ extra: KeyValuePairs<TemplateVariable, String>) -> CallVariables {
        var copy = self
        for (variable, value) in extra { copy[variable] = value }
        return copy
    }

    /// The variables as `CALLPOP_*` environment entries for app targets.
    public var environment: [(name: String, value: String)] {
        TemplateVariable.allCases.filter { !$0.isCallbackOnly && !$0.isDialOnly }.map { ($0.environmentName, self[$0]) }
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
