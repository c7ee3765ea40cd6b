import CallPopCore
import Testing

/// The one hostile-text policy, every variant against the same hostile inputs.
@Suite struct UntrustedTextTests {
    /// What must never survive, in any variant: controls, bidi controls, zero-width
    /// characters, line and paragraph separators.
    static let removed: [Unicode.Scalar] = [
        "\u{0}", "\u{7}", "\u{9}", "\u{A}", "\u{D}", "\u{1B}", "\u{7F}", "\u{85}", "\u{9F}",
        "\u{61C}", "\u{200E}", "\u{200F}", "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}",
        "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}",
        "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}",
        "\u{2028}", "\u{2029}",
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var display: String
        var value: String
        var testDescription: String { input.debugDescription }
    }

    static let cases: [Case] = [
        Case(input: "John Doe", display: "John Doe", value: "John Doe"),
        Case(input: "+44 20 7123 4567", display: "+44 20 7123 4567", value: "+44 20 7123 4567"),
        // Controls: separators in a display, dropped from values.
        Case(input: "John\nDoe", display: "John Doe", value: "JohnDoe"),
        Case(input: "a\u{0}b\rc\u{1B}[31md", display: "a b c [31md", value: "abc[31md"),
        // A number disguised with a right-to-left override or an Arabic letter mark.
        Case(input: "\u{202E}7654 3217 02 44+", display: "7654 3217 02 44+", value: "7654 3217 02 44+"),
        Case(input: "+44\u{61C}20", display: "+4420", value: "+4420"),
        // Zero-width characters make two numbers look alike.
        Case(input: "+44\u{200B}20\u{FEFF}7\u{2060}1\u{200D}", display: "+442071", value: "+442071"),
        Case(input: "line\u{2028}para\u{2029}end", display: "line para end", value: "lineparaend"),
        // Accents and scripts stay.
        Case(input: "Zoë Ångström 山田", display: "Zoë Ångström 山田", value: "Zoë Ångström 山田"),
        // White space: folded and trimmed in a display, kept in a value.
        Case(input: "  a   b  ", display: "a b", value: "  a   b  "),
    ]

    @Test(arguments: cases)
    func everyVariantCleansTheSameHostileInput(_ testCase: Case) {
        #expect(UntrustedText.clean(testCase.input, for: .display) == testCase.display)
        for destination in [UntrustedText.Destination.urlComponent, .argvWord, .environment, .logLine] {
            #expect(UntrustedText.clean(testCase.input, for: destination) == testCase.value, "\(destination)")
        }
        #expect(UntrustedText.templateValue(testCase.input) == testCase.value)
    }

    @Test(arguments: UntrustedText.Destination.allCases)
    func nothingForbiddenSurvives(_ destination: UntrustedText.Destination) {
        let hostile = String(String.UnicodeScalarView(Self.removed.flatMap { [$0, "x"] }))
        let cleaned = UntrustedText.clean(hostile, for: destination)
        #expect(!cleaned.unicodeScalars.contains(where: UntrustedText.isRemoved))
        #expect(cleaned.filter { $0 == "x" }.count == Self.removed.count)
    }

    @Test(arguments: UntrustedText.Destination.allCases)
    func lengthIsBounded(_ destination: UntrustedText.Destination) {
        let huge = String(repeating: "9", count: 1_000_000)
        let cleaned = UntrustedText.clean(huge, for: destination)
        if destination == .display {
            #expect(cleaned.count == UntrustedText.displayLimit)
            #expect(cleaned.hasSuffix("…"))
        } else {
            #expect(cleaned.count == UntrustedText.valueLimit)
        }
    }

    @Test(arguments: UntrustedText.Destination.allCases)
    func invalidUTF8IsRepaired(_ destination: UntrustedText.Destination) {
        // A lone continuation byte, an overlong encoding, a truncated sequence, a NUL.
        let bytes: [UInt8] = [0x41, 0x80, 0x42, 0xC0, 0xAF, 0x43, 0x00, 0xE2, 0x82]
        let cleaned = UntrustedText.clean(bytes: bytes, for: destination)
        #expect(cleaned.hasPrefix("A\u{FFFD}B"))
        #expect(!cleaned.unicodeScalars.contains("\u{0}"))
        #expect(cleaned.contains("C"))
    }

    @Test func plainASCIIIsKeptWithoutChange() {
        let number = "+442071234567"
        #expect(UntrustedText.templateValue(number) == number)
        #expect(UntrustedText.clean(number, for: .display) == number)
    }

    /// Caller ID is kept as it is when it is printable ASCII, checked eight bytes at a time:
    /// every byte value at every position of values up to 24 bytes long.
    @Test func printableCheckEightBytesAtATime() {
        var mismatches: [String] = []
        for length in 1...24 {
            for position in 0..<length {
                for byte in UInt8.min...UInt8.max {
                    var value = Array(repeating: UInt8(ascii: "7"), count: length)
                    value[position] = byte
                    let fast = value.withUnsafeBufferPointer { UntrustedText.isPrintableASCII($0) }
                    if fast != value.allSatisfy({ (0x20...0x7E).contains($0) }) { mismatches.append("\(length) \(byte)@\(position)") }
                }
            }
        }
        #expect(mismatches.isEmpty)
    }
}
