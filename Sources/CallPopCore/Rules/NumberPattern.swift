/// A pattern over phone numbers: digits and other characters match themselves,
/// `?` matches one character, `*` any run, `X` one digit (as in Asterisk dial plans).
///
/// Numbers are compared after removing the visual separators people write
/// (spaces, `-`, `.`, `(`, `)`), so `+44 20 7123-4567` matches `+44207*`.
public struct NumberPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written in the configuration.
    public let source: String
    private let pattern: [Character]

    /// Creates a pattern; returns `nil` for an empty one.
    public init?(_ source: String) {
        let cleaned = NumberPattern.stripSeparators(source)
        guard !cleaned.isEmpty else { return nil }
        self.source = source
        self.pattern = Array(cleaned)
    }

    /// The pattern as written.
    public var description: String { source }

    /// Whether `number` matches the whole pattern.
    public func matches(_ number: String) -> Bool {
        let subject = Array(NumberPattern.stripSeparators(number))
        return NumberPattern.glob(pattern[...], subject[...])
    }

    /// Removes the separators people put into numbers for readability.
    static func stripSeparators(_ number: String) -> String {
        if !number.utf8.contains(where: isSeparator) { return number }
        return String(decoding: number.utf8.filter { !isSeparator($0) }, as: UTF8.self)
    }

    /// A separator people write inside numbers: space, tab, `-`, `.`, `(`, `)`.
    static func isSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"): true
        default: false
        }
    }

    private static func glob(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>) -> Bool {
        // Iterative glob with single-star backtracking: linear in practice, never exponential.
        var pi = p.startIndex, si = s.startIndex
        var starP: Int? = nil, starS = s.startIndex
        while si < s.endIndex {
            if pi < p.endIndex, p[pi] == "*" {
                starP = pi; starS = si; pi += 1
            } else if pi < p.endIndex, singleMatches(p[pi], s[si]) {
                pi += 1; si += 1
            } else if let star = starP {
                pi = star + 1; starS += 1; si = starS
            } else {
                return false
            }
        }
        while pi < p.endIndex, p[pi] == "*" { pi += 1 }
        return pi == p.endIndex
    }

    private static func singleMatches(_ p: Character, _ c: Character) -> Bool {
        switch p {
        case "?": true
        case "X", "x": c.isASCII && c.isNumber
        default: p == c
        }
    }
}
