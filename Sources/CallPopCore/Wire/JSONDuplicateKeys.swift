/// Finds a key written twice in one object of a JSON text. JSON libraries resolve a
/// duplicate by their own choice (the first, the last, an error), so a line with two
/// `"name"`s could read one way to its producer's checks and another way to callpop.
enum JSONDuplicateKeys {
    /// Objects nested deeper than this are left to the decoder, which refuses them.
    static let maximumDepth = 256

    /// The first key that appears twice in the same object (compared after escapes are
    /// decoded, as a decoder compares them), or nil. Malformed text gives nil: the decoder
    /// reports it.
    static func first(in text: String.UTF8View) -> String? {
        var objects: [Set<String>?] = []  // one entry per open container; nil for arrays
        var keyDue = false
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let (string, end) = readString(text, openingAt: index) else { return nil }
                index = end
                if keyDue, let last = objects.indices.last {
                    keyDue = false
                    if objects[last]?.insert(string).inserted == false { return string }
                }
                continue
            case UInt8(ascii: "{"):
                guard objects.count < maximumDepth else { return nil }
                objects.append([])
                keyDue = true
            case UInt8(ascii: "["):
                guard objects.count < maximumDepth else { return nil }
                objects.append(nil)
                keyDue = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard !objects.isEmpty else { return nil }
                objects.removeLast()
                keyDue = false
            case UInt8(ascii: ","):
                keyDue = objects.last.map { $0 != nil } ?? false
            default:
                break
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// The decoded string whose opening quote is at `start`, and the index after its closing quote.
    private static func readString(_ text: String.UTF8View, openingAt start: String.Index) -> (String, String.Index)? {
        var bytes: [UInt8] = []
        var index = text.index(after: start)
        while index < text.endIndex {
            let byte = text[index]
            index = text.index(after: index)
            if byte == UInt8(ascii: "\"") { return (String(decoding: bytes, as: UTF8.self), index) }
            guard byte == UInt8(ascii: "\\") else { bytes.append(byte); continue }
            guard index < text.endIndex else { return nil }
            let escape = text[index]
            index = text.index(after: index)
            switch escape {
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                guard var unit = hexQuad(text, at: &index) else { return nil }
                // A high surrogate followed by `\uDC00`…: one scalar; a lone surrogate: U+FFFD.
                if (0xD800..<0xDC00).contains(unit), text[index...].starts(with: "\\u".utf8) {
                    var after = text.index(index, offsetBy: 2)
                    if let low = hexQuad(text, at: &after), (0xDC00..<0xE000).contains(low) {
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        index = after
                    }
                }
                bytes.append(contentsOf: String(Unicode.Scalar(unit).map(Character.init) ?? "\u{FFFD}").utf8)
            default: bytes.append(escape)  // \" \\ \/ (and anything else, which the decoder refuses)
            }
        }
        return nil
    }

    private static func hexQuad(_ text: String.UTF8View, at index: inout String.Index) -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < text.endIndex, let digit = PercentEncoding.hexValue(text[index]) else { return nil }
            value = value << 4 | UInt32(digit)
            index = text.index(after: index)
        }
        return value
    }
}
