/// The length of the country code at the start of an international number (ITU-T E.164
/// assignments): codes are prefix-free, so the first digits tell how many digits the code has.
enum CountryCode {
    /// The two-digit codes; `1` and `7` are the one-digit ones, everything else has three.
    private static let twoDigit: Set<String> = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
        "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
        "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ]

    /// How many leading digits of `digits` (an international number without `+`) are its country code.
    static func length(of digits: String) -> Int {
        guard let first = digits.first else { return 0 }
        if first == "1" || first == "7" { return 1 }
        return twoDigit.contains(String(digits.prefix(2))) ? 2 : 3
    }
}
