/// Byte-level rules of XML 1.0 used by `XMLReader`, on input already validated as UTF-8.
enum XMLCharacters {
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let ampersand = UInt8(ascii: "&")
    static let semicolon = UInt8(ascii: ";")
    static let colon = UInt8(ascii: ":")
    static let slash = UInt8(ascii: "/")
    static let equals = UInt8(ascii: "=")
    static let question = UInt8(ascii: "?")
    static let exclamation = UInt8(ascii: "!")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let carriageReturn = UInt8(ascii: "\r")
    static let lineFeed = UInt8(ascii: "\n")

    /// `bytes` for an error message: printable ASCII kept, anything else (controls, escapes,
    /// non-ASCII) shown as `?`, so a quoted document value cannot forge log lines or terminals.
    static func printableASCII(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    /// XML white space: space, tab, line feed, carriage return.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Whether `byte` may start a name. Bytes of non-ASCII characters are all accepted: the
    /// input is valid UTF-8, so they come as whole characters, and XML's exact non-ASCII name
    /// ranges protect nothing here (names are only compared, never interpreted).
    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    /// Whether `byte` may continue a name (the colon is split off by the reader).
    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == colon
    }

    /// The first problem in `bytes` as XML text, or `nil`: not valid UTF-8, or a character
    /// XML 1.0 forbids (the `Char` production: C0 controls other than tab, LF and CR, and
    /// U+FFFE/U+FFFF; surrogates cannot be decoded from valid UTF-8).
    static func firstInvalidCharacter(in bytes: [UInt8]) -> (offset: Int, reason: String)? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                guard isAllowedScalar(scalar.value) else {
                    return (offset, "character not allowed in XML (a control character or U+FFFE/U+FFFF)")
                }
                offset += UTF8.width(scalar)
            case .emptyInput:
                return nil
            case .error:
                return (offset, "document is not valid UTF-8")
            }
        }
    }

    /// Whether a character reference may name `value` (XML 1.0 `Char`).
    static func isAllowedScalar(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// The replacement of one of the five predefined entities, or `nil` for any other name:
    /// a document without a DTD can define no others, so none can expand or reach outside.
    static func predefinedEntity(_ name: ArraySlice<UInt8>) -> UInt8? {
        switch String(decoding: name, as: UTF8.self) {
        case "amp": ampersand
        case "lt": lessThan
        case "gt": greaterThan
        case "quot": doubleQuote
        case "apos": singleQuote
        default: nil
        }
    }

    /// The scalar value of the digits of `&#...;` (decimal) or `&#x...;` (hex), or `nil` when
    /// they are not digits or the number is too large (at most 8 digits are read, so no overflow).
    static func characterReference(_ digits: ArraySlice<UInt8>, hex: Bool) -> UInt32? {
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var value: UInt32 = 0
        for byte in digits {
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46 where hex: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66 where hex: digit = UInt32(byte - 0x61 + 10)
            default: return nil
            }
            value = value * (hex ? 16 : 10) + digit
        }
        return value
    }
}
