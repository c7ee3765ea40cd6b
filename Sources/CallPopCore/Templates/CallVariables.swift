/// The values of the template variables for one call, already cleaned of
/// control characters and bounded in length (caller ID is typed by strangers).
public struct CallVariables: Sendable, Hashable {
    /// Longest value kept, in characters; caller ID longer than this is hostile or broken.
    public static let maximumLength = 256

    private var values: [TemplateVariable: String]
    /// The plan the number forms use.
    public var numberPlan: NumberPlan

    /// Values for `event`, with the user's number and name from the configuration
    /// when the event does not carry them.
    public init(event: CallEvent, user: UserIdentity) {
        numberPlan = user.numberPlan
        values = [
            .callerNumber: Self.clean(event.remoteNumber),
            .callerName: Self.clean(event.remoteName),
            .userNumber: Self.clean(event.userNumber ?? user.number),
            .userName: Self.clean(event.userName ?? user.name),
            .callType: event.direction.rawValue,
            .tags: Self.clean(event.tags.joined(separator: ",")),
            .channel: Self.clean(event.channel),
            .calledNumber: Self.clean(event.calledNumber),
            .callID: Self.clean(event.callID),
        ]
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

    /// The variables as `CALLPOP_*` environment entries for app targets.
    public var environment: [(name: String, value: String)] {
        TemplateVariable.allCases.map { ($0.environmentName, self[$0]) }
    }

    /// `text` without control characters (C0, DEL, C1), bidirectional overrides and
    /// line/paragraph separators, cut to `maximumLength` characters.
    public static func clean(_ text: String) -> String {
        // Most caller ID is short printable ASCII: keep it as it is, without a copy.
        if text.utf8.count <= maximumLength, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars where !isUnsafe(scalar) {
            out.append(scalar)
            count += 1
            if count == maximumLength { break }
        }
        return String(out)
    }

    private static func isUnsafe(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1 controls
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidi marks and overrides
        case 0x2028, 0x2029: true  // line and paragraph separators
        default: false
        }
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
