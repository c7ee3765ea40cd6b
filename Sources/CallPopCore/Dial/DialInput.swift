/// The entry points for what `callpop dial` is given: a typed number or a URI, or a text
/// to search (the selection). Pure and allocation-light; hostile input ends in a
/// `DialError`, never in a partial number.
public enum DialInput {
    /// The URI schemes a number may come in, lower-case.
    public static let schemes = ["tel", "callto", "sip", "sips"]

    /// Parses a typed number (`+44 20 7123 4567`, `(020) 7123-4567`, `201`) or a
    /// `tel:`, `callto:`, `sip:` or `sips:` URI.
    public static func parse(_ input: String) throws(DialError) -> DialNumber {
        guard input.utf8.count <= DialNumber.maxInputBytes else {
            throw DialError(.tooLong, "the input is longer than \(DialNumber.maxInputBytes) bytes: this is no phone number")
        }
        let scalars = Array(input.unicodeScalars)
        let range = TypedNumberParser.trim(scalars, scalars.indices)
        guard !range.isEmpty else { throw DialError(.empty, "there is no number to dial") }
        // Checked on the whole input, so nothing hostile hides in the parts of a URI that are ignored.
        for index in range {
            switch DialCharacter(scalars[index]) {
            case .control, .invisible, .mark: throw DialCharacter.refusal(scalars[index], at: index)
            default: continue
            }
        }
        guard let (scheme, bodyStart) = scheme(scalars, range) else {
            return try TypedNumberParser.parse(scalars, range, source: .typed, extensionSuffix: true, positions: true)
        }
        let body = Substring(String(String.UnicodeScalarView(scalars[bodyStart..<range.upperBound])))
        switch scheme {
        case "tel": return try DialURIParser.tel(body)
        case "callto": return try DialURIParser.callto(body)
        case "sip", "sips": return try DialURIParser.sip(body, scheme: scheme)
        default:
            throw DialError(.unsupportedScheme, "'\(scheme):' is not a phone link; callpop dials tel:, callto:, sip: and sips: URIs")
        }
    }

    /// The lower-cased scheme and where the rest starts, when the input starts with
    /// `scheme:` (a letter, then letters, digits, `+`, `-`, `.`, as RFC 3986 says).
    private static func scheme(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> (String, Int)? {
        guard let first = range.first, scalars[first].properties.isAlphabetic, scalars[first].isASCII else { return nil }
        var index = first
        while index < range.upperBound, index - first <= 32 {
            let scalar = scalars[index]
            if scalar == ":" {
                let name = String(String.UnicodeScalarView(scalars[first..<index])).lowercased()
                return (name, index + 1)
            }
            guard scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "+-.".unicodeScalars.contains(scalar)
            else { return nil }
            index += 1
        }
        return nil
    }
}
