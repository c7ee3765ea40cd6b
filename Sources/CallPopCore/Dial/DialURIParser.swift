/// The phone-number URIs: `tel:` (RFC 3966), `callto:` and the user part of `sip:`/`sips:`
/// (RFC 3261). Parsed strictly where a mistake could dial something else, leniently
/// where real links differ from the standards (`tel://…`, spaces as `%20`, local
/// numbers without `phone-context`).
enum DialURIParser {
    /// `tel:` followed by `body`: `+44-20-7123-4567;ext=22`, `7123-4567;phone-context=+44-20`.
    static func tel(_ body: Substring) throws(DialError) -> DialNumber {
        let unslashed = body.hasPrefix("//") ? body.dropFirst(2) : body
        let parts = unslashed.split(separator: ";", omittingEmptySubsequences: false)
        return try subscriber(parts[0], parameters: parts.dropFirst(), source: .tel)
    }

    /// `callto:` followed by `body`: `+442071234567`, `//+442071234567`.
    static func callto(_ body: Substring) throws(DialError) -> DialNumber {
        let unslashed = body.hasPrefix("//") ? body.dropFirst(2) : body
        let number = try decode(unslashed)
        try refuseUserName(number, scheme: "callto")
        return try TypedNumberParser.parse(number, number.indices, source: .callto, extensionSuffix: false, positions: false)
    }

    /// `sip:` or `sips:` followed by `body`: `+442071234567@pbx.example.com;user=phone`.
    /// URI parameters and headers are ignored; a password in the user part is never read.
    static func sip(_ body: Substring, scheme: String) throws(DialError) -> DialNumber {
        let withoutHeaders = body.prefix { $0 != "?" }
        guard let at = withoutHeaders.firstIndex(of: "@") else {
            throw DialError(.malformedURI, "a \(scheme): URI names user@host; this one has no user part")
        }
        let host = withoutHeaders[withoutHeaders.index(after: at)...].prefix { $0 != ";" }
        guard !host.isEmpty else { throw DialError(.malformedURI, "a \(scheme): URI names user@host; this one has no host") }
        let user = withoutHeaders[..<at].prefix { $0 != ":" }
        let parts = user.split(separator: ";", omittingEmptySubsequences: false)
        guard !parts[0].isEmpty else { throw DialError(.malformedURI, "the \(scheme): URI has an empty user part") }
        try refuseUserName(try decode(parts[0]), scheme: scheme)
        return try subscriber(parts[0], parameters: parts.dropFirst(), source: .sip)
    }

    /// A telephone subscriber (RFC 3966 `telephone-subscriber`): the number, then parameters.
    private static func subscriber(
        _ rawNumber: Substring, parameters: ArraySlice<Substring>, source: DialNumber.Source
    ) throws(DialError) -> DialNumber {
        var context: [Unicode.Scalar]?
        var remoteExtension: String?
        var seen: Set<String> = []
        for parameter in parameters {
            let rawName = parameter.prefix { $0 != "=" }
            let name = String(String.UnicodeScalarView(try decode(rawName))).lowercased()
            guard !name.isEmpty, name.utf8.allSatisfy({ isTokenByte($0) }) else {
                throw DialError(.badParameter, "a URI parameter has no valid name")
            }
            guard seen.insert(name).inserted else {
                throw DialError(.duplicateParameter, "the parameter '\(name)' is given twice")
            }
            let value = rawName.endIndex < parameter.endIndex
                ? try decode(parameter[parameter.index(after: rawName.endIndex)...]) : nil
            if let bad = value?.first(where: { [.control, .invisible, .mark].contains(DialCharacter($0)) }) {
                throw DialCharacter.refusal(bad, at: nil)
            }
            switch name {
            case "phone-context":
                guard let value, !value.isEmpty else { throw DialError(.badParameter, "phone-context has no value") }
                context = value
            case "ext":
                remoteExtension = try extensionDigits(value ?? [])
            case "postd":
                throw DialError(.postDialDigits, "digits sent after the call connects (postd) are not supported; dial the number alone")
            default:
                // isub (an ISDN subaddress, which no PBX dials), tgrp, npdi, rn, cic and unknown
                // extension parameters: RFC 3966 says to ignore what is not understood.
                break
            }
        }
        let numberScalars = try decode(rawNumber)
        var number = try TypedNumberParser.parse(
            numberScalars, numberScalars.indices, source: source, extensionSuffix: false, positions: false)
        number.remoteExtension = remoteExtension
        guard let context else { return number }
        guard !number.isGlobal else {
            throw DialError(.badParameter, "a global number (+…) takes no phone-context")
        }
        if context.first == "+" {
            let prefix = try contextDigits(context)
            guard number.digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw DialError(.badParameter, "'*' and '#' cannot follow a global phone-context")
            }
            try TypedNumberParser.checkGlobalLength(prefix.count + number.digits.count)
            number.digits = prefix + number.digits
            number.isGlobal = true
        } else {
            number.domainContext = try domain(context)
        }
        return number
    }

    /// The digits of a global `phone-context` (`+44-20`): `4420`.
    private static func contextDigits(_ value: [Unicode.Scalar]) throws(DialError) -> String {
        var digits = ""
        for scalar in value.dropFirst() {
            switch DialCharacter(scalar) {
            case .digit: digits.unicodeScalars.append(scalar)
            case .separator where scalar != " " && scalar != "/": continue
            default: throw DialError(.badParameter, "phone-context '+…' may hold only digits and - . ( )")
            }
        }
        guard !digits.isEmpty else { throw DialError(.badParameter, "phone-context '+' has no digits") }
        return digits
    }

    /// A domain `phone-context` (`example.com`), lower-cased.
    private static func domain(_ value: [Unicode.Scalar]) throws(DialError) -> String {
        let text = String(String.UnicodeScalarView(value)).lowercased()
        let valid = text.utf8.allSatisfy { isTokenByte($0) || $0 == UInt8(ascii: ".") }
            && text.utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
            && text.first != "." && text.first != "-" && text.count <= 253
        guard valid else { throw DialError(.badParameter, "phone-context is neither '+digits' nor a domain name") }
        return text
    }

    /// The digits of `;ext=` (visual separators allowed).
    private static func extensionDigits(_ value: [Unicode.Scalar]) throws(DialError) -> String {
        var digits = ""
        for scalar in value {
            switch DialCharacter(scalar) {
            case .digit: digits.unicodeScalars.append(scalar)
            case .separator: continue
            default: throw DialError(.badParameter, "ext= must be digits")
            }
        }
        guard (1...DialNumber.maxRemoteExtensionDigits).contains(digits.count) else {
            throw DialError(.badParameter, "ext= must have 1 to \(DialNumber.maxRemoteExtensionDigits) digits")
        }
        return digits
    }

    /// Refuses a user part that is a name (`sip:alice@…`, `callto://echo123`), not a number.
    private static func refuseUserName(_ user: [Unicode.Scalar], scheme: String) throws(DialError) {
        let first = user.first { DialCharacter($0) != .separator && DialCharacter($0) != .mark }
        if let first, DialCharacter(first) == .letter {
            throw DialError(.notAPhoneNumber, "this \(scheme): URI names a user, not a phone number")
        }
    }

    /// Letters, digits and `-`: the characters of a parameter name (RFC 3966 `pname`).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    /// `text` with its `%XX` escapes decoded, once (`%252B` is `%2B`, not `+`).
    static func decode(_ text: Substring) throws(DialError) -> [Unicode.Scalar] {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return Array(text.unicodeScalars) }
        guard let bytes = PercentEncoding.decode(text.utf8) else {
            throw DialError(.badPercentEncoding, "'%' must be followed by two hex digits")
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw DialError(.badPercentEncoding, "the %-escapes do not spell UTF-8 text")
        }
        return Array(decoded.unicodeScalars)
    }
}
