/// The user's numbering plan: what turns `+442071234567`, `00442071234567` and
/// `02071234567` into one another (`[user] country_code`, `national_prefix`,
/// `international_prefix`).
public struct NumberPlan: Sendable, Hashable {
    /// The country calling code without `+`, e.g. `44`; empty when unknown.
    public var countryCode: String
    /// The trunk prefix for national numbers, e.g. `0`.
    public var nationalPrefix: String
    /// The prefix for dialling abroad, e.g. `00`.
    public var internationalPrefix: String

    /// Creates a plan. The defaults fit most of Europe once `countryCode` is set.
    public init(countryCode: String = "", nationalPrefix: String = "0", internationalPrefix: String = "00") {
        self.countryCode = countryCode
        self.nationalPrefix = nationalPrefix
        self.internationalPrefix = internationalPrefix
    }

    /// Only the digits of `number`.
    public func digits(_ number: String) -> String {
        // Bytes, not Characters: this runs for every number on the event path.
        if number.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return number }
        return String(decoding: number.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self)
    }

    /// `number` in E.164 (`+` and digits) when the plan can tell, else its digits unchanged
    /// (an extension or a number too short to place stays as it is).
    public func e164(_ number: String) -> String {
        let digits = self.digits(number)
        if number.utf8.first(where: { $0 != UInt8(ascii: " ") }) == UInt8(ascii: "+") {
            // "+44 (0)20 …", as numbers are often written: the bracketed trunk prefix is not dialled.
            guard !nationalPrefix.isEmpty, number.utf8.contains(UInt8(ascii: "(")) else { return "+" + digits }
            return "+" + self.digits(number.replacing("(" + nationalPrefix + ")", with: ""))
        }
        // `digits` is ASCII: compared and counted as bytes (this runs for every expanded number).
        if !internationalPrefix.isEmpty, digits.utf8.starts(with: internationalPrefix.utf8),
           digits.utf8.count > internationalPrefix.utf8.count + 4 {
            return "+" + digits.dropFirst(internationalPrefix.utf8.count)
        }
        if !countryCode.isEmpty, !nationalPrefix.isEmpty, digits.utf8.starts(with: nationalPrefix.utf8),
           digits.utf8.count > nationalPrefix.utf8.count + 4 {
            return "+" + countryCode + digits.dropFirst(nationalPrefix.utf8.count)
        }
        return digits
    }

    /// `number` as dialled from inside the user's country: national numbers with the
    /// national prefix, foreign ones with the international prefix; else unchanged digits.
    public func national(_ number: String) -> String {
        let full = e164(number)
        guard full.first == "+" else { return full }
        let international = full.dropFirst()
        if !countryCode.isEmpty, international.hasPrefix(countryCode) {
            return nationalPrefix + international.dropFirst(countryCode.count)
        }
        return internationalPrefix + international
    }
}
