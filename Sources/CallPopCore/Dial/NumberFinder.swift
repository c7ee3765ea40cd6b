/// Finds the phone number to dial in a text: the primary selection or the clipboard,
/// which may be a bare number, a link, or a sentence or a signature with a number in it.
///
/// A candidate is a run of digits and visual separators (at most three in a row), with
/// an optional leading `+` and an optional extension suffix (`x22`, `ext. 22`), not
/// glued to letters or digits around it (`ID12345678` is none). It needs seven digits
/// unless it is the whole text (a selected `201`). Dates (`2026-12-01`, `01.12.2026`)
/// and runs of more than twenty digits (ids, account numbers) are skipped. The first
/// candidate is parsed like a typed number.
///
/// Invisible format characters other than harmless marks (right-to-left marks,
/// embeddings, overrides, isolates) before or inside the number are an error: they can
/// show the user other digits, or digits in another order, than the ones dialled.
public enum NumberFinder {
    /// The most UTF-8 bytes of text searched.
    public static let maxTextBytes = 1 << 20
    /// The fewest digits of a number found inside a longer text.
    public static let minDigitsInText = 7
    /// Consecutive separators a number may have between two digits (`) - `).
    private static let maxSeparatorRun = 3

    /// The first phone number in `text`; a text that is one `tel:`, `callto:`, `sip:`
    /// or `sips:` URI is parsed as that URI.
    public static func firstNumber(in text: String) throws(DialError) -> DialNumber {
        guard text.utf8.count <= maxTextBytes else {
            throw DialError(.tooLong, "the text is longer than \(maxTextBytes / 1024) KiB; select just the number")
        }
        let scalars = Array(text.unicodeScalars)
        let whole = trimmed(scalars)
        if isURI(scalars, whole) {
            return try DialInput.parse(String(String.UnicodeScalarView(scalars[whole])))
        }
        let firstInvisible = scalars.firstIndex { DialCharacter($0) == .invisible } ?? scalars.count
        var index = 0
        while let (range, remoteExtension, end) = candidate(scalars, from: index) {
            index = end
            let isWholeText = TypedNumberParser.trim(scalars, range) == whole
            let digitCount = scalars[range].count(where: \.isASCIIDigit)
            guard digitCount >= minDigitsInText || isWholeText, !isDate(scalars, range) else { continue }
            if firstInvisible < range.upperBound {
                throw DialCharacter.refusal(scalars[firstInvisible], at: firstInvisible)
            }
            do {
                var number = try TypedNumberParser.parse(scalars, range, source: .text, extensionSuffix: false, positions: true)
                number.remoteExtension = remoteExtension
                return number
            } catch where error.code == .tooLong && !isWholeText {
                continue
            }
        }
        throw DialError(.noNumberFound, "no phone number found in the text")
    }

    /// The next candidate at or after `start`: the number, the extension suffix after it, and its end.
    private static func candidate(
        _ scalars: [Unicode.Scalar], from start: Int
    ) -> (number: Range<Int>, remoteExtension: String?, end: Int)? {
        var index = start
        while index < scalars.count {
            guard isStart(scalars, index) else { index += 1; continue }
            var end = index, lastDigit: Int?, run = 0
            scan: while end < scalars.count {
                switch DialCharacter(scalars[end]) {
                case .digit: lastDigit = end; run = 0
                case .plus where lastDigit == nil, .separator, .mark, .invisible:
                    run += 1
                    if run > maxSeparatorRun { break scan }
                default: break scan
                }
                end += 1
            }
            guard let lastDigit else { index += 1; continue }
            let suffix = extensionSuffix(scalars, after: lastDigit + 1)
            let upper = suffix?.end ?? lastDigit + 1
            if upper < scalars.count, isWordCharacter(scalars[upper]) {
                index = upper
                continue
            }
            return (index..<lastDigit + 1, suffix?.digits, upper)
        }
        return nil
    }

    /// A number starts at a digit, or a `+` or `(` before one (invisible characters in
    /// front are taken along, to be refused), and not inside a word.
    private static func isStart(_ scalars: [Unicode.Scalar], _ index: Int) -> Bool {
        if index > 0, isWordCharacter(scalars[index - 1]) || scalars[index - 1] == "+" { return false }
        var next = index
        while next < scalars.count, next - index < maxSeparatorRun, [.mark, .invisible].contains(DialCharacter(scalars[next])) {
            next += 1
        }
        guard next < scalars.count else { return false }
        if scalars[next].isASCIIDigit { return true }
        guard scalars[next] == "+" || scalars[next] == "(", next + 1 < scalars.count else { return false }
        return scalars[next + 1].isASCIIDigit || scalars[next + 1] == "+"
    }

    /// An extension suffix (` x22`, `, ext. 22`, ` extension: 22`) starting at `end`: its digits and end.
    private static func extensionSuffix(_ scalars: [Unicode.Scalar], after end: Int) -> (digits: String, end: Int)? {
        var index = end
        while index < scalars.count, index - end < 2, scalars[index] == " " || scalars[index] == "," { index += 1 }
        guard let wordEnd = TypedNumberParser.extensionWordEnd(scalars, at: index) else { return nil }
        index = wordEnd
        while index < scalars.count, index - wordEnd < 2, scalars[index] == " " || scalars[index] == ":" { index += 1 }
        let digitsStart = index
        while index < scalars.count, scalars[index].isASCIIDigit { index += 1 }
        guard (1...DialNumber.maxRemoteExtensionDigits).contains(index - digitsStart) else { return nil }
        return (String(String.UnicodeScalarView(scalars[digitsStart..<index])), index)
    }

    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch DialCharacter(scalar) {
        case .digit, .letter, .otherDigit: true
        default: scalar == "_"
        }
    }

    /// `2026-12-01`, `01.12.2026`, `1/12/26`: three digit groups joined by one repeated separator.
    private static func isDate(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Bool {
        let groups = scalars[range].split { !$0.isASCIIDigit }.map(\.count)
        let separators = scalars[range].filter { !$0.isASCIIDigit }
        guard groups.count == 3, separators.count == 2, separators[0] == separators[1],
            ["-", ".", "/"].contains(separators[0])
        else { return false }
        return groups == [4, 2, 2] || (groups[0] <= 2 && groups[1] <= 2 && [2, 4].contains(groups[2]))
    }

    /// Whether the trimmed text is one URI of a dialled scheme.
    private static func isURI(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Bool {
        let head = String(String.UnicodeScalarView(scalars[range].prefix(8))).lowercased()
        return DialInput.schemes.contains { head.hasPrefix($0 + ":") } && !scalars[range].contains { $0.properties.isWhitespace }
    }

    /// The text without the spaces, line breaks and harmless marks around it
    /// (a triple-click selects the line break too).
    private static func trimmed(_ scalars: [Unicode.Scalar]) -> Range<Int> {
        func isPadding(_ scalar: Unicode.Scalar) -> Bool {
            ["\n", "\r", "\t"].contains(scalar) || DialCharacter(scalar) == .mark
                || scalar.properties.generalCategory == .spaceSeparator
        }
        var lower = 0, upper = scalars.count
        while lower < upper, isPadding(scalars[lower]) { lower += 1 }
        while upper > lower, isPadding(scalars[upper - 1]) { upper -= 1 }
        return lower..<upper
    }
}

extension Unicode.Scalar {
    /// `0`-`9`.
    var isASCIIDigit: Bool { value >= 0x30 && value <= 0x39 }
}
