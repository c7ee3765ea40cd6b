internal import CallPopCore

/// The LDAP search filter for a caller number, from a configured template.
///
/// Placeholders, each replaced by an RFC 4515-escaped value (wildcards can only come from the
/// template itself):
/// - `{LAST}`: a substring match on the number's last significant digits
///   (`NumberMatcher.minimumDigits` of them: `*1234567`), which finds every way a directory wrote
///   the number (`040/1234567`, `+49 (0)40 1234567`) — the telephone-number matching rule ignores
///   only spaces and hyphens, so exact filters miss those. A shorter number (an extension) is
///   matched exactly instead, so `201` does not fetch every number ending in 201;
/// - `{NUMBER}`: each form the number may be stored in (E.164, national, with the international
///   prefix, as received); the template is expanded once per form and the results OR-ed.
///
/// Entries found are confirmed by the `NumberMatcher` (`LDAPQuery`), so a wide filter cannot
/// produce a wrong contact.
public struct LDAPFilterTemplate: Sendable, Hashable {
    /// The default: the usual number attributes of `inetOrgPerson`, by their last digits.
    public static let standard = "(|(telephoneNumber={LAST})(mobile={LAST})(homePhone={LAST}))"

    /// The template as configured.
    public let source: String
    private let usesNumber: Bool

    /// Checks `source`: one parenthesised filter, balanced, with only known placeholders.
    public init(_ source: String = LDAPFilterTemplate.standard) throws(LookupError) {
        self.source = source
        let bytes = Array(source.utf8)
        guard bytes.first == UInt8(ascii: "("), bytes.last == UInt8(ascii: ")") else {
            throw LookupError(.invalidFilterTemplate, "an LDAP filter must be one parenthesised filter, like (telephoneNumber={LAST})", column: 1)
        }
        var depth = 0
        var usesNumber = false
        var position = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") {
                depth -= 1
                guard depth >= 0, depth > 0 || position == bytes.count - 1 else {
                    throw LookupError(.invalidFilterTemplate, "unbalanced parenthesis", column: position + 1)
                }
            }
            if byte == UInt8(ascii: "{") {
                guard let close = bytes[position...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw LookupError(.invalidFilterTemplate, "unclosed {", column: position + 1)
                }
                let name = String(decoding: bytes[(position + 1)..<close], as: UTF8.self)
                switch name {
                case "NUMBER": usesNumber = true
                case "LAST": break
                default:
                    let hint = name.uppercased() == "NUMBER" || name.uppercased() == "LAST" ? " (did you mean {\(name.uppercased())}?)" : " (use {NUMBER} or {LAST})"
                    throw LookupError(.invalidFilterTemplate, "unknown placeholder {\(name)}\(hint)", column: position + 1)
                }
                position = close
            }
            position += 1
        }
        guard depth == 0 else { throw LookupError(.invalidFilterTemplate, "unbalanced parenthesis", column: bytes.count) }
        self.usesNumber = usesNumber
    }

    /// The filter for `number`; `nil` when it holds no phone number (then nothing is searched).
    public func filter(for number: String, matcher: NumberMatcher) -> String? {
        guard let parsed = matcher.number(number) else { return nil }
        // The wildcard is ours; the digits are escaped like any value.
        let digits = LDAPFilterValue.escape(String(parsed.tail(matcher.minimumDigits)))
        let last = parsed.digits.utf8.count >= matcher.minimumDigits ? "*" + digits : digits
        let withLast = source.replacing("{LAST}", with: last)
        guard usesNumber else { return withLast }
        let expansions = Self.forms(of: number, parsed, plan: matcher).map { withLast.replacing("{NUMBER}", with: LDAPFilterValue.escape($0)) }
        return expansions.count == 1 ? expansions[0] : "(|" + expansions.joined() + ")"
    }

    /// The distinct forms a directory may hold the number in.
    private static func forms(of written: String, _ number: PhoneNumber, plan matcher: NumberMatcher) -> [String] {
        let plan = matcher.plan
        var forms: [String] = []
        if let e164 = number.e164 {
            forms.append(e164)
            if !plan.internationalPrefix.isEmpty { forms.append(plan.internationalPrefix + e164.dropFirst()) }
            forms.append(plan.national(e164))
        }
        switch number.form {
        case .national: forms.append(plan.nationalPrefix + number.digits)
        case .local: forms.append(number.digits)
        case .international: forms.append("+" + number.digits)
        }
        forms.append(written.trimmingSpaces)
        var seen: Set<String> = []
        return forms.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
