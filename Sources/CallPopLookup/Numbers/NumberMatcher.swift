public import CallPopCore

/// Decides whether two phone numbers are the same line, however each side wrote it.
///
/// Both numbers are normalised with the user's `NumberPlan` (`PhoneNumber`). When both have an
/// E.164 form those must be equal. Otherwise (no country code configured, or a number without
/// any prefix) the significant digits are compared: equal, or the international one of the two
/// has more leading digits that are exactly its country code (by the E.164 code table) before
/// a number written with the trunk prefix, and exactly the user's country code before a bare one. Every digit
/// of the shorter number is compared, so a number that differs in one digit never matches.
/// Numbers shorter than `minimumDigits` (extensions) match only when equal and written alike.
public struct NumberMatcher: Sendable, Hashable {
    /// The user's numbering plan (`[user]`).
    public var plan: NumberPlan
    /// The fewest significant digits compared by their tail when no country is known.
    public var minimumDigits: Int

    /// The default for `minimumDigits`: shorter than any subscriber number with its area code.
    public static let defaultMinimumDigits = 7

    /// Creates a matcher.
    public init(plan: NumberPlan, minimumDigits: Int = NumberMatcher.defaultMinimumDigits) {
        self.plan = plan
        self.minimumDigits = max(1, minimumDigits)
    }

    /// `text` normalised with the plan; `nil` when it is no phone number.
    public func number(_ text: String) -> PhoneNumber? {
        PhoneNumber(text, plan: plan)
    }

    /// Whether `a` and `b`, as written, are the same number.
    public func matches(_ a: String, _ b: String) -> Bool {
        guard let a = number(a), let b = number(b) else { return false }
        return matches(a, b)
    }

    /// Whether two normalised numbers are the same.
    public func matches(_ a: PhoneNumber, _ b: PhoneNumber) -> Bool {
        if let left = a.e164, let right = b.e164 { return left == right }
        let (short, long) = a.digits.utf8.count <= b.digits.utf8.count ? (a, b) : (b, a)
        let shortCount = short.digits.utf8.count
        guard shortCount >= minimumDigits else { return a.digits == b.digits && a.form == b.form }
        let extra = long.digits.utf8.count - shortCount
        if extra == 0 {
            // The same digits written as international and national are different numbers.
            return short.digits == long.digits && (short.form == long.form || short.form == .local || long.form == .local)
        }
        guard long.form == .international, short.digits.utf8.count >= minimumDigits,
              long.digits.utf8.suffix(shortCount).elementsEqual(short.digits.utf8) else { return false }
        let countryCode = long.digits.utf8.prefix(extra)
        switch short.form {
        case .national:
            // Written with a trunk prefix, so the extra digits must be exactly a country code.
            return extra == CountryCode.length(of: long.digits)
        case .local:
            // Without any prefix nothing says the digits are national: only the user's own
            // country code may stand before them (North American numbers written without 1).
            return !plan.countryCode.isEmpty && countryCode.elementsEqual(plan.countryCode.utf8)
        case .international:
            return false
        }
    }
}
