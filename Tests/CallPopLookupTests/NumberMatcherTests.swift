import CallPopCore
import CallPopLookup
import CallPopTestSupport
import Testing

@Suite struct NumberMatcherTests {
    static let germany = NumberMatcher(plan: NumberPlan(countryCode: "49", nationalPrefix: "0", internationalPrefix: "00"))
    static let unknownCountry = NumberMatcher(plan: NumberPlan(countryCode: "", nationalPrefix: "0", internationalPrefix: "00"))
    static let northAmerica = NumberMatcher(plan: NumberPlan(countryCode: "1", nationalPrefix: "1", internationalPrefix: "011"))

    /// One Hamburg number in the forms PBXs, CRMs and address books write it.
    static let hamburg = [
        "+49401234567", "+49 40 1234567", "+49 (0)40 1234567", "+49 (0) 40 / 123 45 67", "+49-40-123-4567",
        "0049401234567", "0049 40 1234567", "0049 (0)40 1234567", "040 1234567", "040/1234567", "(040) 123 45 67",
        "040-123 45 67", "0401234567", "040.123.4567", "L0#0401234567", "*31#0401234567", "tel:+49-40-1234567",
        "tel:+49401234567;ext=22", "sip:+49401234567@pbx.example.com", "<sip:0401234567@10.0.0.1;user=phone>",
        "+49 40 1234567 ext. 22", "+49 40 1234567 x22", "040 1234567#22", "+49 40 1234567,,22", "Tel.: +49 40 1234567",
        "\u{FF10}\u{FF14}\u{FF10} 1234567", "+49\u{00A0}40\u{2009}123\u{2011}4567",
    ]

    @Test(arguments: hamburg)
    func everyFormIsTheSameE164(form: String) throws {
        let number = try #require(Self.germany.number(form))
        #expect(number.e164 == "+49401234567", "\(form) → \(number)")
    }

    @Test func everyFormMatchesEveryOtherFormWithTheCountryKnown() {
        for left in Self.hamburg {
            for right in Self.hamburg {
                #expect(Self.germany.matches(left, right), "\(left) vs \(right)")
            }
        }
    }

    /// Without a country code national numbers have no E.164 form: the tail fallback must still
    /// pair every form, across international and national writing.
    @Test func everyFormMatchesEveryOtherFormWithoutACountry() {
        for left in Self.hamburg {
            for right in Self.hamburg {
                #expect(Self.unknownCountry.matches(left, right), "\(left) vs \(right)")
            }
        }
    }

    /// Replacing, inserting or deleting one digit anywhere gives a different number: never a match,
    /// for every form on the other side, with and without a country.
    @Test func aNumberThatDiffersByOneDigitNeverMatches() {
        let digits = Array("0401234567")
        var variants: [String] = []
        for position in digits.indices {
            for replacement in "0123456789" where replacement != digits[position] {
                var changed = digits
                changed[position] = replacement
                variants.append(String(changed))
            }
            var removed = digits
            removed.remove(at: position)
            variants.append(String(removed))
            for inserted in "0123456789" {
                var longer = digits
                longer.insert(inserted, at: position + 1)
                variants.append(String(longer))
            }
        }
        // Without its trunk prefix, "401234567" is the same number written as North Americans
        // write theirs (deliberately a match, `writtenWithoutTrunkPrefix`): not a one-digit change.
        variants = variants.filter { $0 != "0401234567" && $0 != "401234567" }
        for matcher in [Self.germany, Self.unknownCountry] {
            for variant in variants {
                for form in Self.hamburg {
                    #expect(!matcher.matches(variant, form), "\(variant) matched \(form) (country \(matcher.plan.countryCode.isEmpty ? "unknown" : "49"))")
                }
            }
        }
    }

    @Test(arguments: [
        // (caller, directory, matches) for a German plan
        ("+442071234567", "0044 20 7123 4567", true),
        ("+442071234567", "+44 (0)20 7123 4567", true),
        ("+442071234567", "020 7123 4567", false),  // a German national 020… is not London
        ("+4930123456", "+4330123456", false),  // same digits, another country
        ("201", "201", true),  // extensions
        ("201", "1201", false),
        ("201", "+49201", false),
        ("401234567", "+49401234567", true),  // written without the trunk prefix
        ("9401234567", "+49401234567", false),  // not the country code before it
        ("1234567", "+49401234567", false),  // a local number without its area code is ambiguous
        ("", "+49401234567", false),
        ("anonymous", "anonymous", false),
        ("+49401234567", "+4940123456", false),
    ])
    func germanPlanTable(caller: String, entry: String, matches: Bool) {
        #expect(Self.germany.matches(caller, entry) == matches, "\(caller) vs \(entry)")
        #expect(Self.germany.matches(entry, caller) == matches, "symmetric: \(entry) vs \(caller)")
    }

    @Test(arguments: [
        ("+1 (201) 555-0123", "201-555-0123", true),
        ("+12015550123", "1 201 555 0123", true),
        ("011 44 20 7123 4567", "+442071234567", true),
        ("2015550123", "2015550124", false),
        ("+1 201 555 0123 ext 45", "(201) 555-0123", true),
    ])
    func northAmericanPlanTable(caller: String, entry: String, matches: Bool) {
        #expect(Self.northAmerica.matches(caller, entry) == matches, "\(caller) vs \(entry)")
    }

    @Test func writtenWithoutTrunkPrefix() {
        #expect(Self.germany.matches("401234567", "+49 40 1234567"))
        #expect(Self.germany.matches("401234567", "040 1234567"))
        #expect(Self.unknownCountry.matches("401234567", "040 1234567"))
        // Without a country nothing says which digits of "+49…" are the country code.
        #expect(!Self.unknownCountry.matches("401234567", "+49 40 1234567"))
    }

    @Test func noCountryKnownComparesByTheLastDigits() {
        let matcher = Self.unknownCountry
        #expect(matcher.matches("040 1234567", "+49 40 1234567"))
        #expect(matcher.matches("040 1234567", "0049 40 1234567"))
        // International and national with equal digits are different numbers.
        #expect(!matcher.matches("0401234567", "+401234567"))
        // More than a country code's worth of extra digits is not a match.
        #expect(!matcher.matches("040 1234567", "+1234 40 1234567"))
        #expect(matcher.number("040 1234567")?.e164 == nil)
    }

    @Test(arguments: ["*)(uid=*)(telephoneNumber=0401234567", "\\2a", "=040 1234567", "|0401234567", "&1"])
    func filterSyntaxBeforeTheDigitsIsNoLabel(text: String) {
        #expect(Self.germany.number(text) == nil, "\(text)")
    }

    @Test(arguments: [
        "*)(uid=*", "\u{0}\u{1}\u{7F}", String(repeating: "9", count: 40), "+", "()", "tel:", "sip:@", "#", "L0#", ";ext=1",
        String(repeating: "(0)", count: 100), "\u{202E}4940", "javascript:alert(1)",
    ])
    func hostileTextIsNoNumberOrAHarmlessOne(text: String) {
        if let number = Self.germany.number(text) {
            #expect(number.digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 })
            #expect(number.e164.map { $0.utf8.count <= 16 } ?? true)
        }
    }

    @Test func randomTextNeverCrashesAndMatchesItselfWhenItIsANumber() {
        var generator = SplitMix64(seed: 0x7E1)
        let alphabet = Array("0123456789+()-./ #*;,xXextl:@sip\u{A0}\u{FF10}")
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...30, using: &generator)).compactMap { _ in alphabet.randomElement(using: &generator) })
            guard let number = Self.germany.number(text) else { continue }
            #expect(Self.germany.matches(number, number), "\(text.debugDescription)")
        }
    }
}
