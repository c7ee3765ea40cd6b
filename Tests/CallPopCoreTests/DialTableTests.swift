import CallPopCore
import CallPopTestSupport
import Testing

/// What `callpop dial` makes of what it is given: every row is one input and the exact
/// number the PBX would dial (with its kind and any extension of the called party), or
/// the exact kind of error. The user is extension 201 in the UK (country code 44,
/// national prefix 0, international prefix 00), so extensions have up to 3 digits.
@Suite struct DialTableTests {
    enum Expected: Sendable, CustomStringConvertible {
        case dial(String, PlannedDial.Kind, ext: String? = nil)
        case error(DialError.Code)

        var description: String {
            switch self {
            case .dial(let number, let kind, let ext): "dial \(number) (\(kind.rawValue))" + (ext.map { " ext \($0)" } ?? "")
            case .error(let code): "error \(code.rawValue)"
            }
        }
    }

    static let ukPlan = try! DialPlan(numberPlan: ukUser.numberPlan, extensionMaxDigits: 3)

    static let rows: [(String, Expected)] = [
        // Typed, in the common formats.
        ("+44 20 7123 4567", .dial("02071234567", .national)),
        ("(020) 7123-4567", .dial("02071234567", .national)),
        ("0044 20 7123 4567", .dial("02071234567", .national)),
        ("020.7123.4567", .dial("02071234567", .national)),
        ("+44 (0)20 7123 4567", .dial("02071234567", .national)),
        ("+44(0)2071234567", .dial("02071234567", .national)),
        ("201", .dial("201", .internalNumber)),
        ("*97", .dial("*97", .internalNumber)),
        ("+49 30 12345678", .dial("00493012345678", .international)),
        ("0049 (30) 1234-5678", .dial("00493012345678", .international)),
        ("+1 (212) 555-0100", .dial("0012125550100", .international)),
        ("+33 1 23 45 67 89", .dial("0033123456789", .international)),
        ("+81 3-1234-5678", .dial("0081312345678", .international)),
        ("030/1234567", .dial("0301234567", .national)),
        ("7123 4567", .dial("71234567", .local)),
        ("+44 20 7123 4567 x22", .dial("02071234567", .national, ext: "22")),
        ("+44 20 7123 4567 ext. 22", .dial("02071234567", .national, ext: "22")),
        ("020 7123 4567 Extension 301", .dial("02071234567", .national, ext: "301")),
        ("\u{A0}+44\u{A0}20\u{202F}7123\u{A0}4567 ", .dial("02071234567", .national)),
        ("\u{202A}+44 20 7123 4567\u{202C}", .dial("02071234567", .national)),
        ("\u{200E}020\u{2011}7123\u{2011}4567\u{FEFF}", .dial("02071234567", .national)),
        // tel: (RFC 3966).
        ("tel:+44-20-7123-4567", .dial("02071234567", .national)),
        ("TEL:+44.20.7123.4567", .dial("02071234567", .national)),
        ("tel:+1-212-555-0100;ext=22", .dial("0012125550100", .international, ext: "22")),
        ("tel:+1-212-555-0100;EXT=2-2", .dial("0012125550100", .international, ext: "22")),
        ("tel:7123-4567;phone-context=+44-20", .dial("02071234567", .national)),
        ("tel:863-1234;Phone-Context=+1-914-555", .dial("0019145558631234", .international)),
        ("tel:201;phone-context=pbx.example.com", .dial("201", .internalNumber)),
        ("tel:%2B44%2020%207123%204567", .dial("02071234567", .national)),
        ("tel://+442071234567", .dial("02071234567", .national)),
        ("tel:+442071234567;isub=1234;tgrp=out;trunk-context=example.com", .dial("02071234567", .national)),
        ("tel:+44-20-7123-4567;ext=22;ext=23", .error(.duplicateParameter)),
        ("tel:+44-20-7123-4567;phone-context=+44", .error(.badParameter)),
        ("tel:7123-4567;phone-context=ex%20ample", .error(.badParameter)),
        ("tel:+44-20-7123-4567;postd=pp22", .error(.postDialDigits)),
        ("tel:+44-20-7123-4567;ext=1%3Bphone-context=evil", .error(.badParameter)),
        ("tel:+44-20-7123-4567;;ext=1", .error(.badParameter)),
        ("tel:+44-20-7123-4567;x=%0D%0AAction:%20Originate", .error(.controlCharacter)),
        ("tel:+44%0D%0A207123", .error(.controlCharacter)),
        ("tel:+44%2", .error(.badPercentEncoding)),
        ("tel:%FF%FE", .error(.badPercentEncoding)),
        ("tel:%252B442071234567", .error(.unexpectedCharacter)),
        ("tel:", .error(.empty)),
        // callto:
        ("callto:+442071234567", .dial("02071234567", .national)),
        ("callto://+44%2020%207123%204567", .dial("02071234567", .national)),
        ("CallTo://0049-30-12345678", .dial("00493012345678", .international)),
        ("callto://echo123", .error(.notAPhoneNumber)),
        // sip: and sips: (the user part; URI parameters and headers ignored).
        ("sip:+442071234567@pbx.example.com;user=phone", .dial("02071234567", .national)),
        ("sips:02079460000@pbx.example.com:5061;transport=tls?subject=call%20me", .dial("02079460000", .national)),
        ("sip:+1-212-555-0100;ext=7@gw.example.com;user=phone", .dial("0012125550100", .international, ext: "7")),
        ("sip:201@pbx.example.com", .dial("201", .internalNumber)),
        ("sip:%2B442071234567@pbx", .dial("02071234567", .national)),
        ("sip:201:secret@pbx", .dial("201", .internalNumber)),
        ("sip:alice@example.com", .error(.notAPhoneNumber)),
        ("sip:pbx.example.com", .error(.malformedURI)),
        ("sip:201@", .error(.malformedURI)),
        ("sip:201%0A@pbx", .error(.controlCharacter)),
        // Hostile and malformed.
        ("", .error(.empty)),
        ("  \u{200B} ", .error(.empty)),
        ("+ ( ) -", .error(.empty)),
        ("+44 20 7123 4567\r\nAction: Originate", .error(.controlCharacter)),
        ("201\u{0}", .error(.controlCharacter)),
        ("201\t", .error(.controlCharacter)),
        ("+44 20 \u{202E}7654 3210", .error(.invisibleCharacter)),
        ("\u{202E}+44 20 7123 4567", .error(.invisibleCharacter)),
        ("+44 20 7123\u{200B}4567", .error(.invisibleCharacter)),
        ("\u{200F}+44 20 7123 4567", .error(.invisibleCharacter)),
        ("201;ext=5", .error(.unexpectedCharacter)),
        ("201; Channel: PJSIP/666", .error(.unexpectedCharacter)),
        ("1-800-FLOWERS", .error(.letters)),
        ("+44 20 7123 4567p22", .error(.letters)),
        ("+44 20 7123 4567,,22", .error(.postDialDigits)),
        ("-o ProxyCommand=x", .error(.letters)),
        ("$(reboot)", .error(.unexpectedCharacter)),
        ("+44 20 7123 45+67", .error(.misplacedPlus)),
        ("++442071234567", .error(.misplacedPlus)),
        ("+44 20", .error(.tooShort)),
        ("+44 20 7123 4567 8901 2", .error(.tooLong)),
        (String(repeating: "1", count: 21), .error(.tooLong)),
        (String(repeating: "1", count: 600), .error(.tooLong)),
        ("tel:+" + String(repeating: "9", count: 600), .error(.tooLong)),
        ("\u{660}\u{662}\u{660}\u{667}\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}\u{667}", .error(.nonASCIIDigit)),
        ("\u{FF10}\u{FF12}\u{FF10}\u{FF17}\u{FF11}\u{FF12}\u{FF13}", .error(.nonASCIIDigit)),
        ("javascript:alert(1)", .error(.unsupportedScheme)),
        ("http://example.com/+442071234567", .error(.unsupportedScheme)),
        ("+44 20 7123 4567 x", .error(.letters)),
    ]

    @Test(arguments: rows)
    func row(input: String, expected: Expected) {
        #expect(Self.outcome(input, Self.ukPlan) == expected.description, "input: \(input.debugDescription)")
    }

    /// The table is as large as the issue asks (and every error code a parser can give is in it).
    @Test func tableCoversEveryParserError() {
        #expect(Self.rows.count >= 40)
        let seen = Set(Self.rows.compactMap { if case .error(let code) = $0.1 { code } else { nil } })
        let parserCodes = Set(DialError.Code.allCases).subtracting([.noNumberFound, .denied, .invalidRule])
        #expect(parserCodes.subtracting(seen).isEmpty, "not in the table: \(parserCodes.subtracting(seen))")
    }

    static func outcome(_ input: String, _ plan: DialPlan) -> String {
        do {
            let planned = try plan.plan(input)
            return Expected.dial(planned.number, planned.kind, ext: planned.remoteExtension).description
        } catch {
            return Expected.error(error.code).description
        }
    }
}
