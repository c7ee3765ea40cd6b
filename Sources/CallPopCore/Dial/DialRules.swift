/// A `[dial] rewrite` entry: numbers matching `match` have the part the pattern spells
/// out literally (everything before its first wildcard) replaced by `replacement`; the
/// digits the wildcards matched are kept. A pattern without wildcards replaces the whole
/// number. `match = "00*", replace = "+"` turns `004930123456` into `+4930123456`.
public struct DialRewrite: Sendable, Hashable, CustomStringConvertible {
    /// The numbers this rewrite applies to (`X` a digit, `?` one character, `*` any run).
    public let match: NumberPattern
    /// What replaces the literal start of the pattern: digits, `*`, `#`, `+`, possibly empty.
    public let replacement: String
    /// How many characters of a matching number the literal start covers.
    private let literalCount: Int

    /// Creates a rewrite; the replacement may hold only `0-9 * # +`.
    public init(match: String, replacement: String) throws(DialError) {
        guard let pattern = NumberPattern(match) else {
            throw DialError(.invalidRule, "a rewrite needs a pattern to match")
        }
        guard replacement.unicodeScalars.allSatisfy(DialRewrite.isDialable) else {
            throw DialError(.invalidRule, "the rewrite replacement \"\(DialPlan.quoted(replacement))\" may hold only digits, *, # and +")
        }
        self.match = pattern
        self.replacement = replacement
        literalCount = NumberPattern.stripSeparators(match).prefix { !"?*Xx".contains($0) }.count
    }

    /// `number` rewritten, or `nil` when the pattern does not match it.
    public func apply(to number: String) -> String? {
        guard match.matches(number) else { return nil }
        return replacement + number.dropFirst(literalCount)
    }

    /// `pattern → replacement`.
    public var description: String { "\(match.source) → \(replacement)" }

    static func isDialable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIIDigit || scalar == "*" || scalar == "#" || scalar == "+"
    }
}

/// A `[dial] deny` entry: numbers matching `match` are refused with `reason`.
public struct DialDenial: Sendable, Hashable, CustomStringConvertible {
    /// The refused numbers. A pattern starting with `+` is compared with the number's
    /// international form (`+449…`), any other with the number as dialled (`09…`, `00…`).
    public let match: NumberPattern
    /// Why, for the user (`premium rate`); may be empty.
    public let reason: String

    /// Creates a rule.
    public init(match: String, reason: String = "") throws(DialError) {
        guard let pattern = NumberPattern(match) else {
            throw DialError(.invalidRule, "a deny rule needs a pattern to match")
        }
        self.match = pattern
        self.reason = reason
    }

    /// `pattern (reason)`.
    public var description: String { reason.isEmpty ? match.source : "\(match.source) (\(reason))" }
}
