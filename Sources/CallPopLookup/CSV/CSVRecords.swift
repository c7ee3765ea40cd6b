/// The records of CSV text (RFC 4180): fields separated by `delimiter`, optionally in double
/// quotes (which may hold delimiters, line ends and `""` for a quote), records ended by CR LF,
/// LF or CR. Sloppy files are read the way spreadsheets read them: a quote inside an unquoted
/// field is kept, text after a closing quote is appended, an unclosed quote runs to the end.
/// Fields and records are bounded, so a hostile file costs bounded memory per record.
struct CSVRecords: Sequence, IteratorProtocol {
    /// The most fields kept per record (the rest are skipped).
    static let maximumFields = 512
    /// The most bytes kept per field (the rest are skipped).
    static let maximumFieldBytes = 8 * 1024

    private let input: [UInt8]
    private let delimiter: UInt8
    private var position: Int

    init(_ input: [UInt8], delimiter: UInt8) {
        self.input = input
        self.delimiter = delimiter
        position = 0
    }

    mutating func next() -> [String]? {
        guard position < input.count else { return nil }
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        func finishField() {
            if fields.count < Self.maximumFields { fields.append(String(decoding: field, as: UTF8.self)) }
            field.removeAll(keepingCapacity: true)
        }
        func keep(_ byte: UInt8) {
            if field.count < Self.maximumFieldBytes { field.append(byte) }
        }
        var atFieldStart = true
        while position < input.count {
            let byte = input[position]
            position += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if position < input.count, input[position] == UInt8(ascii: "\"") {
                        keep(byte)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    keep(byte)
                }
                continue
            }
            if byte == UInt8(ascii: "\""), atFieldStart {
                quoted = true
                atFieldStart = false
            } else if byte == delimiter {
                finishField()
                atFieldStart = true
            } else if byte == 0x0A || byte == 0x0D {
                if byte == 0x0D, position < input.count, input[position] == 0x0A { position += 1 }
                break
            } else {
                keep(byte)
                atFieldStart = false
            }
        }
        finishField()
        return fields
    }

    /// The delimiter a file uses: the most frequent of `,` `;` and tab outside quotes in its
    /// first line (German spreadsheets write `;`), `,` when none occurs.
    static func detectDelimiter(_ input: [UInt8]) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09]
        var counts = [0, 0, 0]
        var quoted = false
        for byte in input.prefix(64 * 1024) {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted, byte == 0x0A || byte == 0x0D { break }
            if !quoted, let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
        }
        // Ties go to the comma, the first candidate.
        let best = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
        return candidates[best]
    }
}
