/// The values of the template variables for one call, cleaned once with
/// `UntrustedText.templateValue` (caller ID is typed by strangers).
public struct CallVariables: Sendable, Hashable {
    private var values: [TemplateVariable: String]
    /// The plan the number forms use.
    public var numberPlan: NumberPlan

    /// Values for `event`, with the user's number and name from the configuration
    /// when the event does not carry them, and what caller lookup found (`contact`).
    public init(event: CallEvent, user: UserIdentity, contact: CallerContact? = nil) {
        numberPlan = user.numberPlan
        values = [
            .callerNumber: UntrustedText.templateValue(event.remoteNumber),
            .callerName: UntrustedText.templateValue(event.remoteName),
            .userNumber: UntrustedText.templateValue(event.userNumber ?? user.number),
            .userName: UntrustedText.templateValue(event.userName ?? user.name),
            .callType: event.direction.rawValue,
            .tags: UntrustedText.templateValue(event.tags.joined(separator: ",")),
            .channel: UntrustedText.templateValue(event.channel),
            .calledNumber: UntrustedText.templateValue(event.calledNumber),
            .callID: UntrustedText.templateValue(event.callID),
        ]
        if let contact {
            // Cleaned by the directory reader already; cleaned again, as every value is.
            values[.contactName] = UntrustedText.templateValue(contact.name)
            values[.contactOrganisation] = UntrustedText.templateValue(contact.organisation)
            values[.contactURL] = UntrustedText.templateValue(contact.url)
            values[.contactID] = UntrustedText.templateValue(contact.id)
            values[.directory] = UntrustedText.templateValue(contact.directory)
        }
    }

    /// The cleaned value of `variable`, untransformed.
    public subscript(_ variable: TemplateVariable) -> String { values[variable] ?? "" }

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

    /// The values with `extra` ones set (a callback's `{EVENT}`, `{DURATION}`, `{DISPOSITION}`).
    public func adding(_ extra: [TemplateVariable: String]) -> CallVariables {
        var copy = self
        copy.values.merge(extra) { $1 }
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
