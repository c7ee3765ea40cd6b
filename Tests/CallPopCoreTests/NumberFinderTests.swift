import CallPopCore
import CallPopTestSupport
import Testing

/// Dialling the selection: the first phone number in a text.
@Suite struct NumberFinderTests {
    @Test(arguments: [
        ("Call me on +44 20 7123 4567 tomorrow", "+442071234567"),
        ("Office: (020) 7123-4567, ext. 22\nMobile: 07700 900123", "02071234567 ext 22"),
        ("Meeting on 2026-12-01 at 10:00 in room 201, call 020 7946 0000", "02079460000"),
        ("01.12.2026: ring 0049 30 1234 5678", "00493012345678"),
        ("201\n", "201"),
        ("  \u{202A}201\u{202C} ", "201"),
        ("Order ID12345678 or call 0800 123 4567", "08001234567"),
        ("Account 123456789012345678901234 then 020 7123 4567", "02071234567"),
        ("tel:+44-20-7123-4567;ext=9", "+442071234567 ext 9"),
        ("callto://+442071234567\n", "+442071234567"),
        ("<a href=\"tel:+442071234567\">call</a>", "+442071234567"),
        ("Tel.: +41 44 668 18 00 x123", "+41446681800 ext 123"),
        ("\u{202A}+44 20 7123 4567\u{202C} sent from WhatsApp", "+442071234567"),
    ])
    func finds(text: String, expected: String) throws {
        let number = try NumberFinder.firstNumber(in: text)
        #expect(number.display + (number.remoteExtension.map { " ext \($0)" } ?? "") == expected)
    }

    @Test(arguments: [
        ("no numbers here", DialError.Code.noNumberFound),
        ("room 201 and floor 3", .noNumberFound),
        ("", .noNumberFound),
        ("Call \u{202E}+44 20 7123 4567", .invisibleCharacter),
        ("Call +44 20 7123\u{200B}4567", .invisibleCharacter),
        ("\u{2067}Call me\u{2069}: 020 7123 4567", .invisibleCharacter),
        ("sip:alice@example.com", .notAPhoneNumber),
    ])
    func refuses(text: String, code: DialError.Code) {
        #expect(throws: DialError.self) { try NumberFinder.firstNumber(in: text) }
        do { _ = try NumberFinder.firstNumber(in: text) } catch { #expect(error.code == code) }
    }

    /// Texts built to make a naive scanner quadratic are searched in one pass (a 512 KiB
    /// text of each kind; quadratic work here would take minutes, not milliseconds).
    @Test(arguments: ["+", "\u{200B}", "1 ", "(", "x1", "12-34-56 "])
    func adversarialTextsAreLinear(unit: String) {
        let text = String(repeating: unit, count: (512 * 1024) / unit.utf8.count)
        let start = ContinuousClock.now
        _ = try? NumberFinder.firstNumber(in: text)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func hugeTextIsRefusedUnread() {
        let text = String(repeating: "x", count: NumberFinder.maxTextBytes + 1)
        do { _ = try NumberFinder.firstNumber(in: text) } catch { #expect(error.code == .tooLong) }
    }
}

/// Garbage and near-misses through every entry point: nothing crashes, and whatever is
/// accepted is dialled only from digits that were in the input, in their order.
@Suite struct DialFuzzTests {
    static let alphabet: [Unicode.Scalar] = Array("0123456789+-.() /*#;=:@%?,xpXext+tel:sip:callto:".unicodeScalars)
        + ["\r", "\n", "\u{0}", "\u{A0}", "\u{200B}", "\u{200E}", "\u{200F}", "\u{202A}", "\u{202C}", "\u{202E}",
           "\u{2066}", "\u{FEFF}", "\u{660}", "\u{FF11}", "é", "Ω", "\u{301}"]
    static let seeds = [
        "+44 20 7123 4567", "tel:+1-212-555-0100;ext=22", "tel:7123-4567;phone-context=+44-20",
        "sip:+442071234567@pbx;user=phone", "callto://+442071234567", "(020) 7123-4567 x22", "201",
    ]

    @Test func garbageNeverCrashesAndNeverInventsDigits() throws {
        var rng = SplitMix64(seed: 13)
        let plan = try DialPlan(numberPlan: ukUser.numberPlan, outsideLinePrefix: "9", extensionMaxDigits: 3)
        var accepted = 0
        for round in 0..<6000 {
            var scalars: [Unicode.Scalar]
            if round % 2 == 0 {
                scalars = (0..<Int(rng.next() % 40)).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] }
            } else {
                scalars = Array(Self.seeds[Int(rng.next() % UInt64(Self.seeds.count))].unicodeScalars)
                for _ in 0..<(1 + rng.next() % 3) where !scalars.isEmpty {
                    let at = Int(rng.next() % UInt64(scalars.count))
                    switch rng.next() % 3 {
                    case 0: scalars[at] = Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))]
                    case 1: scalars.insert(Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))], at: at)
                    default: scalars.remove(at: at)
                    }
                }
            }
            let input = String(String.UnicodeScalarView(scalars))
            _ = try? NumberFinder.firstNumber(in: input)
            guard let planned = try? plan.plan(input) else { continue }
            accepted += 1
            #expect(planned.number.unicodeScalars.allSatisfy { "0123456789*#+".unicodeScalars.contains($0) })
            #expect(planned.number.count <= DialPlan.maxDialledLength)
            if !input.contains("%") && !input.contains(":") {
                // Typed input: the parsed digits come from the input, in order.
                var source = input.unicodeScalars.filter { "0123456789*#".unicodeScalars.contains($0) }.makeIterator()
                let parsed = planned.input.digits.unicodeScalars
                #expect(parsed.allSatisfy { digit in
                    while let next = source.next() { if next == digit { return true } }
                    return false
                }, "\(input.debugDescription) → \(planned.input.digits)")
            }
        }
        #expect(accepted > 300, "the near-misses should still often be numbers")
    }
}
