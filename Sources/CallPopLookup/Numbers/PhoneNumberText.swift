/// Turns a phone number as people, PBXs and address books write it into `+` and digits, or
/// digits only: URI schemes and parameters, labels, line prefixes, `(0)`, separators and
/// extension suffixes are removed. Which digits are prefixes is `PhoneNumber`'s business.
enum PhoneNumberText {
    /// Only this many characters are looked at: no phone number is longer.
    static let maximumLength = 160

    /// `+` and digits, or digits; `nil` without digits or with more than `PhoneNumber.maximumDigits`.
    static func canonical(_ text: String) -> String? {
        var scalars = Array(text.unicodeScalars.prefix(maximumLength))[...]
        stripURI(&scalars)
        // `tel:` parameters (`;ext=`, `;phone-context=`) and dial strings' `;` both end the number.
        if let semicolon = scalars.firstIndex(of: ";") { scalars = scalars[..<semicolon] }
        stripHashPrefixOrSuffix(&scalars)

        var output: [UInt8] = []
        var sawDigit = false
        var position = scalars.startIndex
        while position < scalars.endIndex {
            let scalar = scalars[position]
            if let digit = digitValue(scalar) {
                output.append(UInt8(ascii: "0") + digit)
                sawDigit = true
                guard output.count <= PhoneNumber.maximumDigits + 1 else { return nil }
            } else if scalar == "+", !sawDigit, output.isEmpty {
                output.append(UInt8(ascii: "+"))
            } else if scalar == "(", sawDigit, let close = trunkZeroGroupEnd(scalars, from: position) {
                // `+44 (0)20 …`: the bracketed trunk prefix is not dialled from abroad.
                position = close
            } else if isSeparator(scalar) {
                // Spaces, dashes, dots, slashes, brackets: only for reading.
            } else if sawDigit {
                // Letters (`ext`, `x`, `p`, `w`), `,` pauses, `*`: an extension or label follows.
                break
            } else if !isLabelCharacter(scalar) {
                // `*)(uid=*)(telephoneNumber=040…` is not a label before a number.
                return nil
            }
            // Before the first digit a label (`Tel.:`, `Mobile`) is skipped.
            position += 1
        }
        guard sawDigit else { return nil }
        return String(decoding: output, as: UTF8.self)
    }

    /// Drops `tel:`, and `sip:`/`sips:` with everything from the host on.
    private static func stripURI(_ scalars: inout ArraySlice<Unicode.Scalar>) {
        while let first = scalars.first, first == " " || first == "\t" || first == "<" { scalars = scalars.dropFirst() }
        let lowered = String(String.UnicodeScalarView(scalars.prefix(5))).lowercased()
        if lowered.hasPrefix("tel:") {
            scalars = scalars.dropFirst(4)
        } else if lowered.hasPrefix("sip:") || lowered.hasPrefix("sips:") {
            scalars = scalars.dropFirst(lowered.hasPrefix("sips:") ? 5 : 4)
            if let at = scalars.firstIndex(of: "@") { scalars = scalars[..<at] }
        }
    }

    /// `L0#0401234567`, `*31#0401234567`: a short line or service prefix ends at `#`; in
    /// `0401234567#12` the `#` starts an extension.
    private static func stripHashPrefixOrSuffix(_ scalars: inout ArraySlice<Unicode.Scalar>) {
        guard let hash = scalars.firstIndex(of: "#") else { return }
        let digitsBefore = scalars[..<hash].count { digitValue($0) != nil }
        let hasDigitsAfter = scalars[(hash + 1)...].contains { digitValue($0) != nil }
        if digitsBefore <= 3, hasDigitsAfter {
            scalars = scalars[(hash + 1)...]
        } else {
            scalars = scalars[..<hash]
        }
    }

    /// The index of `)` when `(` at `start` opens `(0)` or `(00)`, else `nil`.
    private static func trunkZeroGroupEnd(_ scalars: ArraySlice<Unicode.Scalar>, from start: Int) -> Int? {
        var position = start + 1
        while position < scalars.endIndex, scalars[position] == "0", position - start <= 2 { position += 1 }
        guard position > start + 1, position < scalars.endIndex, scalars[position] == ")" else { return nil }
        return position
    }

    /// The value of an ASCII or full-width decimal digit.
    private static func digitValue(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39: UInt8(scalar.value - 0x30)
        case 0xFF10...0xFF19: UInt8(scalar.value - 0xFF10)
        default: nil
        }
    }

    /// What may stand before a number as its label: letters, spaces, `.` and `:`.
    private static func isLabelCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar == " " || scalar == "\t" || scalar == "." || scalar == ":"
    }

    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x2D, 0x2E, 0x2F, 0x28, 0x29, 0x5B, 0x5D, 0x27: true  // space tab - . / ( ) [ ] '
        case 0xA0, 0x2009, 0x202F, 0x2007: true  // no-break and thin spaces
        case 0x2010...0x2015, 0x2212, 0xFF0D: true  // dashes and minus signs
        default: false
        }
    }
}
