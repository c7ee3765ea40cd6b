public import CallPopCore

/// A phone number from either side (the PBX's caller number, a directory's entry), reduced to
/// what identifies it: its significant digits, how it was written, and E.164 when the user's
/// `NumberPlan` can tell.
///
/// `+49 (0)40 123 456-7`, `0049 40 1234567`, `040/1234567`, `tel:+49-40-1234567;ext=2`,
/// `L0#0401234567` and `sip:+49401234567@pbx` all become `+49401234567` for a German plan.
public struct PhoneNumber: Sendable, Hashable {
    /// How the number was written, which tells what its digits are.
    public enum Form: Sendable, Hashable {
        /// With `+` or the international prefix: the digits start with a country code.
        case international
        /// With the national (trunk) prefix, removed from the digits: area code and subscriber.
        case national
        /// Without any prefix: an extension, a local number, or a national one written without
        /// its trunk prefix (as in North America).
        case local
    }

    /// The most digits a phone number has (E.164 allows 15; prefixes and carrier codes add some).
    public static let maximumDigits = 24

    /// How the number was written.
    public var form: Form
    /// The significant digits: for `international` the country code and national number, for
    /// `national` without the trunk prefix, for `local` all of them.
    public var digits: String
    /// `+` and digits when the plan can tell (international numbers, and national ones when
    /// the plan has a country code); else `nil`.
    public var e164: String?

    /// Reads `text`; `nil` when it holds no digits, or too many to be a phone number.
    public init?(_ text: String, plan: NumberPlan) {
        guard let cleaned = PhoneNumberText.canonical(text) else { return nil }
        let full = plan.e164(cleaned)
        let nationalPrefix = plan.nationalPrefix
        if full.first == "+" {
            let writtenInternational = cleaned.first == "+" || (!plan.internationalPrefix.isEmpty && cleaned.hasPrefix(plan.internationalPrefix))
            form = writtenInternational ? .international : .national
            digits = writtenInternational ? String(full.dropFirst()) : String(cleaned.dropFirst(nationalPrefix.count))
            // E.164 has at most 15 digits: a longer number is not one, whatever its prefix.
            e164 = full.utf8.count <= 16 ? full : nil
        } else if !nationalPrefix.isEmpty, full.hasPrefix(nationalPrefix), full.utf8.count > nationalPrefix.utf8.count + 4 {
            form = .national
            digits = String(full.dropFirst(nationalPrefix.count))
            e164 = nil
        } else if nationalPrefix.isEmpty, !plan.countryCode.isEmpty, full.utf8.count >= 6 {
            // Countries without a trunk prefix (Italy, Denmark…) write national numbers bare.
            form = .national
            digits = full
            e164 = "+" + plan.countryCode + full
        } else {
            form = .local
            digits = full
            e164 = nil
        }
    }

    /// The last `count` digits: the key under which a number is found when no country is known.
    func tail(_ count: Int) -> Substring { digits.suffix(count) }
}
