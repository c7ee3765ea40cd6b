import CallPopCore
import Testing

/// The dial plan in other countries' numbering plans, and the `[dial]` settings:
/// outside-line prefix, rewrites, deny rules.
@Suite struct DialPlanTests {
    static func plan(
        _ countryCode: String, _ national: String, _ international: String, extensionDigits: Int = 3,
        prefix: String = "", rewrites: [(String, String)] = [], deny: [(String, String)] = []
    ) throws -> DialPlan {
        try DialPlan(
            numberPlan: NumberPlan(countryCode: countryCode, nationalPrefix: national, internationalPrefix: international),
            outsideLinePrefix: prefix, extensionMaxDigits: extensionDigits,
            rewrites: rewrites.map { try DialRewrite(match: $0.0, replacement: $0.1) },
            denials: deny.map { try DialDenial(match: $0.0, reason: $0.1) })
    }

    /// Several countries: the same global number is national at home and international abroad.
    @Test(arguments: [
        // North America: country code 1, trunk prefix 1, international prefix 011.
        ("1", "1", "011", "+1 212 555 0100", "12125550100 national"),
        ("1", "1", "011", "(212) 555-0100", "2125550100 local"),
        ("1", "1", "011", "+44 20 7123 4567", "011442071234567 international"),
        ("1", "1", "011", "011 44 20 7123 4567", "011442071234567 international"),
        // Germany.
        ("49", "0", "00", "+49 (0)30 12345678", "03012345678 national"),
        ("49", "0", "00", "030 1234 5678", "03012345678 national"),
        ("49", "0", "00", "+43 1 234567", "00431234567 international"),
        // Italy: no trunk prefix, the leading 0 belongs to the number.
        ("39", "", "00", "+39 06 1234 5678", "0612345678 national"),
        ("39", "", "00", "06 1234 5678", "0612345678 national"),
        // France.
        ("33", "0", "00", "+33 1 23 45 67 89", "0123456789 national"),
        ("33", "0", "00", "01 23 45 67 89", "0123456789 national"),
        // Unknown country: every global number is dialled internationally.
        ("", "0", "00", "+44 20 7123 4567", "00442071234567 international"),
        ("", "0", "00", "020 7123 4567", "02071234567 local"),
        // No international prefix configured: the PBX takes E.164 with '+'.
        ("44", "0", "", "+49 30 12345678", "+493012345678 international"),
    ])
    func countries(countryCode: String, national: String, international: String, input: String, expected: String) throws {
        let planned = try Self.plan(countryCode, national, international).plan(input)
        #expect("\(planned.number) \(planned.kind.rawValue)" == expected)
    }

    /// The international form is kept for the confirmation and the templates.
    @Test func internationalFormIsKnownWhenThePlanTells() throws {
        let uk = try Self.plan("44", "0", "00")
        #expect(try uk.plan("020 7123 4567").e164 == "+442071234567")
        #expect(try uk.plan("+49 30 12345678").e164 == "+493012345678")
        #expect(try uk.plan("201").e164 == nil)
        #expect(try uk.plan("7123 4567").e164 == nil)
    }

    @Test func summaryForTheDryRunAndTheConfirmation() throws {
        let plan = try Self.plan("44", "0", "00", prefix: "9", rewrites: [("00*", "+")])
        #expect(try plan.plan("tel:+44-20-7123-4567;ext=22").summary == "902071234567 (national, +442071234567, then ask for extension 22)")
        #expect(try plan.plan("+49 30 12345678").summary == "9+493012345678 (international, +493012345678, rewritten by 00* → +)")
        #expect(try plan.plan("201").summary == "201 (internal)")
    }

    @Test func outsideLinePrefixGoesBeforeExternalNumbersOnly() throws {
        let plan = try Self.plan("44", "0", "00", prefix: "9")
        #expect(try plan.plan("+44 20 7123 4567").number == "902071234567")
        #expect(try plan.plan("+49 30 12345678").number == "900493012345678")
        #expect(try plan.plan("7123 4567").number == "971234567")
        #expect(try plan.plan("201").number == "201")
        #expect(try plan.plan("*97").number == "*97")
    }

    /// Internal patterns keep longer numbers internal (a 5-digit site code, say).
    @Test func internalPatternsStayAsTyped() throws {
        let plan = try DialPlan(
            numberPlan: ukUser.numberPlan, outsideLinePrefix: "9", extensionMaxDigits: 3,
            internalNumbers: [try #require(NumberPattern("8XXXX"))])
        let planned = try plan.plan("81234")
        #expect(planned.number == "81234")
        #expect(planned.kind == .internalNumber)
    }

    /// A PBX that wants E.164 with '+': two rewrites, the first match wins.
    @Test func firstMatchingRewriteIsApplied() throws {
        let plan = try Self.plan("44", "0", "00", prefix: "9", rewrites: [("00*", "+"), ("0*", "+44")])
        let international = try plan.plan("+49 30 12345678")
        #expect(international.number == "9+493012345678")
        #expect(international.rewrite?.description == "00* → +")
        #expect(try plan.plan("020 7123 4567").number == "9+442071234567")
        #expect(try plan.plan("201").number == "201")
    }

    /// The literal part before the wildcard is replaced; X-matched digits are kept.
    @Test func rewriteKeepsWhatTheWildcardsMatched() throws {
        let rewrite = try DialRewrite(match: "0800XXXXXXX", replacement: "1800")
        #expect(rewrite.apply(to: "08001234567") == "18001234567")
        #expect(rewrite.apply(to: "0800123456") == nil)
        let whole = try DialRewrite(match: "999", replacement: "112")
        #expect(whole.apply(to: "999") == "112")
    }

    @Test func denyRulesRefuseWithTheirReason() throws {
        let plan = try Self.plan("44", "0", "00", prefix: "9", deny: [("09*", "premium rate"), ("00*", "international")])
        #expect(throws: DialError.self) { try plan.plan("+44 909 879 0000") }
        do {
            _ = try plan.plan("0909 879 0000")
            Issue.record("a premium-rate number was not refused")
        } catch {
            #expect(error.code == .denied)
            #expect(error.denial?.reason == "premium rate")
            #expect(error.message == "09098790000 is refused by the deny rule \"09*\" (premium rate)")
        }
        #expect(throws: DialError.self) { try plan.plan("tel:+1-212-555-0100") }
        #expect(try plan.plan("020 7123 4567").number == "902071234567")
    }

    /// A `+` pattern is compared with the international form; rewritten numbers are checked too.
    @Test func denyRulesSeeEveryForm() throws {
        let byE164 = try Self.plan("44", "0", "00", deny: [("+449*", "")])
        #expect(throws: DialError.self) { try byE164.plan("0909 879 0000") }
        let afterRewrite = try Self.plan("44", "0", "00", rewrites: [("0*", "+44")], deny: [("+44 9*", "premium")])
        #expect(throws: DialError.self) { try afterRewrite.plan("0909 879 0000") }
        #expect(try afterRewrite.plan("020 7123 4567").number == "+442071234567")
    }

    @Test func invalidSettingsAreRefused() {
        #expect(throws: DialError.self) { try DialRewrite(match: "", replacement: "0") }
        #expect(throws: DialError.self) { try DialRewrite(match: "0*", replacement: "9\r\nChannel: x") }
        #expect(throws: DialError.self) { try DialDenial(match: " ", reason: "") }
        #expect(throws: DialError.self) { try Self.plan("44", "0", "00", prefix: "9;") }
        #expect(throws: DialError.self) { try Self.plan("44", "0", "00", prefix: "123456789") }
        #expect(throws: DialError.self) { try Self.plan("44", "0", "00", rewrites: [("201", "")]).plan("201") }
    }

    @Test func extensionLengthFollowsTheUsersOwnNumber() {
        #expect(DialPlan.extensionDigits(forUserNumber: "201") == 3)
        #expect(DialPlan.extensionDigits(forUserNumber: "20145") == 5)
        #expect(DialPlan.extensionDigits(forUserNumber: "") == 4)
    }

    /// Error messages show hostile characters as code points, never as themselves.
    @Test func errorsNeverEchoHostileCharacters() {
        for input in ["201\r\n", "+44 \u{202E}20", "20\u{1}1", "2\u{7F}01"] {
            do {
                _ = try DialInput.parse(input)
                Issue.record("accepted \(input.debugDescription)")
            } catch {
                #expect(error.message.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }, "\(error.message.debugDescription)")
                #expect(error.character?.hasPrefix("U+") == true)
            }
        }
    }

    /// Errors in typed input say where the character is.
    @Test func typedErrorsHaveAPosition() {
        do {
            _ = try DialInput.parse("+44 20 7123 4567p22")
            Issue.record("accepted a pause letter")
        } catch {
            #expect(error.position == 16)
            #expect(error.character == "p")
        }
    }
}
