/// The bytes a TOML file may not hold, found before the TOML library sees the text: it reads
/// a C string, so a NUL silently ended the file there (and `check` said OK with 0 rules).
/// TOML 1.0 forbids control characters other than tab anywhere (a CR only before a LF), and
/// a file must be UTF-8.
enum TOMLBytes {
    /// The first forbidden byte or character, with its line and column (in characters, as
    /// `KeyLocator` counts); nil when there is none.
    static func firstProblem(in bytes: [UInt8]) -> ConfigDiagnostic? {
        var line = 1
        var column = 1
        // A byte-order mark is not part of the first line.
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func problem(_ message: String) -> ConfigDiagnostic {
            ConfigDiagnostic(position: SourcePosition(line: line, column: column), message: message)
        }
        while index < bytes.count {
            let byte = bytes[index]
            let length = sequenceLength(bytes, at: index)
            guard length > 0 else { return problem("byte 0x\(hex(byte)) is not valid UTF-8; a TOML file must be UTF-8") }
            switch byte {
            case 0x0A:
                line += 1
                column = 0
            case 0x0D:
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else {
                    return problem("a carriage return without a line feed is not allowed in TOML")
                }
                column -= 1  // CR LF ends the line as LF alone does
            case 0x00...0x08, 0x0B...0x1F, 0x7F:
                return problem("control character U+00\(hex(byte)) is not allowed in TOML; remove it")
            default:
                break
            }
            column += 1
            index += length
        }
        return nil
    }

    /// The length of the well-formed UTF-8 sequence at `index`, or 0 (RFC 3629: no overlong
    /// forms, no surrogates, nothing above U+10FFFF).
    private static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count, (low...high).contains(bytes[index + 1]) else { return 0 }
        for offset in 2..<max(2, length) where !(0x80...0xBF).contains(bytes[index + offset]) { return 0 }
        return length
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
