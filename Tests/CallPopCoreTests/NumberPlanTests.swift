import CallPopCore
import Testing

@Suite("Number forms")
struct NumberPlanTests {
    let uk = NumberPlan(countryCode: "44", nationalPrefix: "0", internationalPrefix: "00")

    @Test("UK forms", arguments: [
        // input, e164, national, digits
        ("+442071234567", "+442071234567", "02071234567", "442071234567"),
        ("00442071234567", "+442071234567", "02071234567", "00442071234567"),
        ("02071234567", "+442071234567", "02071234567", "02071234567"),
        ("+44 20 7123-4567", "+442071234567", "02071234567", "442071234567"),
        ("(020) 7123 4567", "+442071234567", "02071234567", "02071234567"),
        ("+44 (0)20 7123 4567", "+442071234567", "02071234567", "4402071234567"),
        ("+493012345678", "+493012345678", "00493012345678", "493012345678"),
        ("0049 30 12345678", "+493012345678", "00493012345678", "00493012345678"),
        ("201", "201", "201", "201"),
        ("", "", "", ""),
        ("anonymous", "", "", ""),
    ])
    func ukForms(_ input: String, _ e164: String, _ national: String, _ digits: String) {
        #expect(uk.e164(input) == e164)
        #expect(uk.national(input) == national)
        #expect(uk.digits(input) == digits)
    }

    @Test func shortNumbersAreNotMistakenForPrefixedOnes() {
        // An extension or service number starting with the prefix stays as dialled.
        #expect(uk.e164("0800") == "0800")
        #expect(uk.e164("00123") == "00123")
        #expect(uk.national("01234") == "01234")
        #expect(uk.e164("012345") == "+4412345")
    }

    @Test func withoutCountryCodeNationalNumbersStayAsTheyAre() {
        let plan = NumberPlan()
        #expect(plan.countryCode == "")
        #expect(plan.nationalPrefix == "0")
        #expect(plan.internationalPrefix == "00")
        #expect(plan.e164("02071234567") == "02071234567")
        #expect(plan.e164("00442071234567") == "+442071234567")
        #expect(plan.national("+442071234567") == "00442071234567")
    }

    @Test func otherPlansUseTheirPrefixes() {
        let us = NumberPlan(countryCode: "1", nationalPrefix: "1", internationalPrefix: "011")
        #expect(us.e164("011442071234567") == "+442071234567")
        #expect(us.e164("12125550123") == "+12125550123")
        #expect(us.national("+12125550123") == "12125550123")
        #expect(us.national("+442071234567") == "011442071234567")
    }

    @Test func digitsKeepsOnlyASCIIDigits() {
        // Arabic-Indic and full-width digits are not dialable digits.
        #expect(uk.digits("+44\u{0662}\u{FF13}20 x7") == "44207")
    }
}
