/// Turns a parsed number into what the PBX dials, from the user's numbering plan
/// (`[user] country_code`, `national_prefix`, `international_prefix`) and the `[dial]`
/// settings. In order:
///
/// 1. Internal numbers stay as they are: those with `*` or `#` (feature codes), those
///    matching an internal pattern (`[colleagues] numbers`), and those with at most
///    `extensionMaxDigits` digits.
/// 2. A global number (`+…`, or typed with the international prefix) in the user's own
///    country becomes national (national prefix + national number); any other gets the
///    international prefix (`+` itself when the plan has none). A typed national number
///    (starting with the national prefix) is kept; anything else is a local number, kept.
/// 3. The first `rewrite` that matches is applied (never more than one, so rewrites
///    cannot compound or loop).
/// 4. `deny` rules are checked against the number before and after the rewrite, and
///    against its international form.
/// 5. The outside-line prefix is put in front of every number but internal ones.
public struct DialPlan: Sendable, Hashable {
    /// The user's numbering plan.
    public var numberPlan: NumberPlan
    /// Dialled before every external number (`9` on many PBXes); empty for none.
    public var outsideLinePrefix: String
    /// Numbers with at most this many digits (and no prefix) are internal extensions.
    public var extensionMaxDigits: Int
    /// More internal numbers, whatever their length.
    public var internalNumbers: [NumberPattern]
    /// Rewrites, tried in order; the first that matches is applied.
    public var rewrites: [DialRewrite]
    /// Refused numbers.
    public var denials: [DialDenial]

    /// The longest number handed to the PBX, prefixes and rewrites included.
    public static let maxDialledLength = 32

    /// Creates a plan. The outside-line prefix may hold only digits, `*` and `#`.
    public init(
        numberPlan: NumberPlan, outsideLinePrefix: String = "", extensionMaxDigits: Int = 4,
        internalNumbers: [NumberPattern] = [], rewrites: [DialRewrite] = [], denials: [DialDenial] = []
    ) throws(DialError) {
        guard outsideLinePrefix.unicodeScalars.allSatisfy({ $0.isASCIIDigit || $0 == "*" || $0 == "#" }),
            outsideLinePrefix.count <= 8
        else {
            throw DialError(.invalidRule, "the outside-line prefix \"\(DialPlan.quoted(outsideLinePrefix))\" must be up to 8 digits, * or #")
        }
        self.numberPlan = numberPlan
        self.outsideLinePrefix = outsideLinePrefix
        self.extensionMaxDigits = max(0, extensionMaxDigits)
        self.internalNumbers = internalNumbers
        self.rewrites = rewrites
        self.denials = denials
    }

    /// The default `extensionMaxDigits` for a user: as many digits as the user's own
    /// extension (`201` → 3), or 4 when it is unknown.
    public static func extensionDigits(forUserNumber number: String) -> Int {
        let digits = number.unicodeScalars.count(where: \.isASCIIDigit)
        return (1...8).contains(digits) ? digits : 4
    }

    /// Parses `input` (a typed number or a URI) and plans it.
    public func plan(_ input: String) throws(DialError) -> PlannedDial {
        try plan(DialInput.parse(input))
    }

    /// What the PBX dials for `number`.
    public func plan(_ number: DialNumber) throws(DialError) -> PlannedDial {
        var planned = try classify(number)
        let unprefixed = planned.number
        if let rewrite = rewrites.first(where: { $0.apply(to: unprefixed) != nil }), let rewritten = rewrite.apply(to: unprefixed) {
            guard !rewritten.isEmpty else {
                throw DialError(.invalidRule, "the rewrite \(rewrite) leaves nothing to dial")
            }
            planned.number = rewritten
            planned.rewrite = rewrite
        }
        let forms = [unprefixed, planned.number] + (planned.e164.map { [$0] } ?? [])
        if let denial = denials.first(where: { rule in forms.contains { rule.match.matches($0) } }) {
            let why = denial.reason.isEmpty ? "" : " (\(denial.reason))"
            throw DialError(.denied, "\(planned.number) is refused by the deny rule \"\(denial.match.source)\"\(why)", denial: denial)
        }
        if planned.kind != .internalNumber { planned.number = outsideLinePrefix + planned.number }
        guard planned.number.count <= Self.maxDialledLength else {
            throw DialError(.tooLong, "the number to dial would be longer than \(Self.maxDialledLength) characters")
        }
        return planned
    }

    /// Steps 1 and 2: the kind of number and its form inside the user's country.
    private func classify(_ number: DialNumber) throws(DialError) -> PlannedDial {
        let digits = number.digits
        let plan = numberPlan
        func planned(_ kind: PlannedDial.Kind, _ dialled: String, e164: String?) -> PlannedDial {
            PlannedDial(number: dialled, kind: kind, e164: e164, remoteExtension: number.remoteExtension, input: number)
        }
        if number.isGlobal { return global(digits, input: number) }
        if digits.contains(where: { $0 == "*" || $0 == "#" }) || internalNumbers.contains(where: { $0.matches(digits) })
            || digits.count <= extensionMaxDigits
        {
            return planned(.internalNumber, digits, e164: nil)
        }
        if !plan.internationalPrefix.isEmpty, digits.hasPrefix(plan.internationalPrefix) {
            let international = String(digits.dropFirst(plan.internationalPrefix.count))
            try TypedNumberParser.checkGlobalLength(international.count)
            return global(international, input: number)
        }
        guard !plan.countryCode.isEmpty else { return planned(.local, digits, e164: nil) }
        if plan.nationalPrefix.isEmpty || digits.hasPrefix(plan.nationalPrefix) {
            let e164 = plan.countryCode + digits.dropFirst(plan.nationalPrefix.count)
            try TypedNumberParser.checkGlobalLength(e164.count)
            return planned(.national, digits, e164: "+" + e164)
        }
        return planned(.local, digits, e164: nil)
    }

    /// A global number (`digits` start with the country code) in national or international form.
    private func global(_ digits: String, input: DialNumber) -> PlannedDial {
        let plan = numberPlan
        let e164 = "+" + digits
        if !plan.countryCode.isEmpty, digits.hasPrefix(plan.countryCode) {
            let national = plan.nationalPrefix + digits.dropFirst(plan.countryCode.count)
            return PlannedDial(number: national, kind: .national, e164: e164, remoteExtension: input.remoteExtension, input: input)
        }
        let prefix = plan.internationalPrefix.isEmpty ? "+" : plan.internationalPrefix
        return PlannedDial(number: prefix + digits, kind: .international, e164: e164, remoteExtension: input.remoteExtension, input: input)
    }

    /// `text` for an error message: printable ASCII kept, anything else as `U+XXXX`.
    static func quoted(_ text: String) -> String {
        text.unicodeScalars.prefix(40).map { (0x20...0x7e).contains($0.value) ? String($0) : DialError.show($0) }.joined()
    }
}

/// A number ready to dial, with what the confirmation and the templates show about it.
public struct PlannedDial: Sendable, Hashable {
    /// Which kind of number it is.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An extension or feature code of the user's PBX: dialled as typed, no outside-line prefix.
        case internalNumber = "internal"
        /// A number in the user's own country, in national form.
        case national
        /// A number abroad, with the international prefix.
        case international
        /// A number without area code (or in a plan callpop does not know), dialled as typed.
        case local
    }

    /// What the PBX dials: the AMI `Exten`, `{DIALNUM}` in templates.
    public var number: String
    /// The kind of number.
    public var kind: Kind
    /// The international form (`+442071234567`), when the plan can tell.
    public var e164: String?
    /// An extension to ask the called party's PBX for once connected; not dialled.
    public var remoteExtension: String?
    /// The rewrite that was applied, if any.
    public var rewrite: DialRewrite?
    /// The number as parsed.
    public var input: DialNumber

    /// One line for `callpop dial --dry-run` and the confirmation: the number as dialled,
    /// then what else is known (`02071234567 (national, +442071234567, then ask for extension 22)`).
    public var summary: String {
        var notes = [kind.rawValue]
        if let e164, e164 != number { notes.append(e164) }
        if let rewrite { notes.append("rewritten by \(rewrite)") }
        if let remoteExtension { notes.append("then ask for extension \(remoteExtension)") }
        return "\(number) (\(notes.joined(separator: ", ")))"
    }

    /// Creates a planned dial.
    public init(
        number: String, kind: Kind, e164: String?, remoteExtension: String? = nil, rewrite: DialRewrite? = nil,
        input: DialNumber
    ) {
        self.number = number
        self.kind = kind
        self.e164 = e164
        self.remoteExtension = remoteExtension
        self.rewrite = rewrite
        self.input = input
    }
}
