/// Reads a number as people write it: `+44 20 7123 4567`, `+44 (0)20 7123 4567`,
/// `(020) 7123-4567`, `020.7123.4567`, `0044 20 …`, `*97`, `201`, optionally followed
/// by an extension of the called party (`x22`, `ext. 22`). The number parts of URIs go
/// through it too, once percent-decoded.
///
/// Every character is either part of the number, a visual separator, or an error:
/// nothing is skipped silently, so what is dialled is what was written.
enum TypedNumberParser {
    /// Words that introduce an extension of the called party, longest first.
    private static let extensionWords = ["extension", "ext.", "extn", "ext", "x"].map { Array($0.unicodeScalars) }

    /// Parses `scalars[range]`. `positions` reports error positions as indices into
    /// `scalars` (typed input and searched text); URI parts report none.
    static func parse(
        _ scalars: [Unicode.Scalar], _ range: Range<Int>, source: DialNumber.Source,
        extensionSuffix: Bool, positions: Bool
    ) throws(DialError) -> DialNumber {
        let trimmed = trim(scalars, range)
        guard !trimmed.isEmpty else { throw DialError(.empty, "there is no number to dial") }
        var end = trimmed.upperBound
        var remoteExtension: String?
        if extensionSuffix, let suffix = extensionSuffixStart(scalars, trimmed) {
            remoteExtension = String(String.UnicodeScalarView(scalars[suffix.digits..<end]))
            end = suffix.word
        }
        var digits: [UInt8] = []
        var isGlobal = false
        var index = trimmed.lowerBound
        while index < end {
            let scalar = scalars[index]
            switch DialCharacter(scalar) {
            case .digit(let digit):
                digits.append(digit)
            case .plus where digits.isEmpty && !isGlobal:
                isGlobal = true
            case .service(let symbol) where !isGlobal:
                digits.append(symbol)
            case .separator:
                // "+44 (0)20 …": the bracketed trunk prefix is written, not dialled.
                if isGlobal, scalar == "(", !digits.isEmpty, index + 2 < end, scalars[index + 1] == "0",
                    scalars[index + 2] == ")"
                {
                    index += 3
                    continue
                }
            default:
                throw DialCharacter.refusal(scalar, at: positions ? index : nil)
            }
            guard digits.count <= DialNumber.maxLocalDigits else {
                throw DialError(.tooLong, "more than \(DialNumber.maxLocalDigits) digits: this is no phone number")
            }
            index += 1
        }
        guard !digits.isEmpty else { throw DialError(.empty, "there are no digits to dial") }
        if isGlobal { try checkGlobalLength(digits.count) }
        return DialNumber(
            digits: String(decoding: digits, as: UTF8.self), isGlobal: isGlobal,
            remoteExtension: remoteExtension, source: source)
    }

    /// Refuses a global number with too few or too many digits for E.164.
    static func checkGlobalLength(_ count: Int) throws(DialError) {
        if count > DialNumber.maxGlobalDigits {
            throw DialError(.tooLong, "an international number has at most \(DialNumber.maxGlobalDigits) digits, this one has \(count)")
        }
        if count < DialNumber.minGlobalDigits {
            throw DialError(.tooShort, "an international number has at least \(DialNumber.minGlobalDigits) digits, this one has \(count)")
        }
    }

    /// `range` without the spaces and harmless invisible marks around it.
    static func trim(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Range<Int> {
        func isPadding(_ scalar: Unicode.Scalar) -> Bool {
            DialCharacter(scalar) == .mark || scalar.properties.generalCategory == .spaceSeparator
        }
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, isPadding(scalars[lower]) { lower += 1 }
        while upper > lower, isPadding(scalars[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Where an extension suffix (`x22`, ` ext. 22`, `extension 22`) starts: its word and
    /// its digits, when `range` ends in one.
    static func extensionSuffixStart(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> (word: Int, digits: Int)? {
        var digitsStart = range.upperBound
        while digitsStart > range.lowerBound, scalars[digitsStart - 1].isASCIIDigit { digitsStart -= 1 }
        guard (1...DialNumber.maxRemoteExtensionDigits).contains(range.upperBound - digitsStart) else { return nil }
        var wordEnd = digitsStart
        while wordEnd > range.lowerBound, scalars[wordEnd - 1] == " " || scalars[wordEnd - 1] == ":" { wordEnd -= 1 }
        for word in extensionWords where wordEnd - word.count > range.lowerBound {
            let start = wordEnd - word.count
            // Not the end of a longer word ("fax 123").
            if spells(scalars, at: start, word), DialCharacter(scalars[start - 1]) != .letter {
                return (start, digitsStart)
            }
        }
        return nil
    }

    /// The end of an extension word (`x`, `ext`, `ext.`, `extn`, `extension`) starting at
    /// `start` and not followed by another letter.
    static func extensionWordEnd(_ scalars: [Unicode.Scalar], at start: Int) -> Int? {
        for word in extensionWords where start + word.count <= scalars.count && spells(scalars, at: start, word) {
            let end = start + word.count
            if end == scalars.count || DialCharacter(scalars[end]) != .letter { return end }
        }
        return nil
    }

    /// Whether `scalars` spell the lower-case ASCII `word` at `start`, ignoring case.
    private static func spells(_ scalars: [Unicode.Scalar], at start: Int, _ word: [Unicode.Scalar]) -> Bool {
        zip(scalars[start...], word).allSatisfy { $0 == $1 || ($0.isASCII && $0.value | 0x20 == $1.value) }
            && scalars.count - start >= word.count
    }
}
