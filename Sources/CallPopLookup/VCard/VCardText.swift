/// Value-level rules of vCard text: escapes, structured components, legacy encodings.
enum VCardText {
    /// The components of a structured value (`N`, `ORG`) split at unescaped `;`, each unescaped.
    static func components(_ raw: ArraySlice<UInt8>) -> [String] {
        var parts: [String] = []
        var start = raw.startIndex
        var position = raw.startIndex
        while position < raw.endIndex {
            if raw[position] == UInt8(ascii: "\\") {
                position += 2
                continue
            }
            if raw[position] == UInt8(ascii: ";") {
                parts.append(unescape(raw[start..<position]))
                start = position + 1
            }
            position += 1
        }
        parts.append(unescape(raw[start..<min(position, raw.endIndex)]))
        return parts
    }

    /// A text value with `\\` `\,` `\;` `\:` resolved and `\n`/`\N` as a line feed.
    static func unescape(_ raw: ArraySlice<UInt8>) -> String {
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var position = raw.startIndex
        while position < raw.endIndex {
            let byte = raw[position]
            if byte == UInt8(ascii: "\\"), position + 1 < raw.endIndex {
                let next = raw[position + 1]
                bytes.append(next == UInt8(ascii: "n") || next == UInt8(ascii: "N") ? 0x0A : next)
                position += 2
            } else {
                bytes.append(byte)
                position += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// vCard 2.1 `ENCODING=QUOTED-PRINTABLE`: `=XX` decoded (soft line breaks were joined by
    /// the line reader); a malformed escape stays as written.
    static func decodeQuotedPrintable(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        var position = raw.startIndex
        while position < raw.endIndex {
            if raw[position] == UInt8(ascii: "="), position + 2 < raw.endIndex,
               let high = hexValue(raw[position + 1]), let low = hexValue(raw[position + 2]) {
                bytes.append(high << 4 | low)
                position += 3
            } else {
                bytes.append(raw[position])
                position += 1
            }
        }
        return bytes
    }

    /// Latin-1 bytes (vCard 2.1 `CHARSET=ISO-8859-1`, Windows exports) as UTF-8.
    static func latin1ToUTF8(_ raw: some Collection<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        for byte in raw {
            if byte < 0x80 {
                bytes.append(byte)
            } else {
                bytes.append(0xC0 | byte >> 6)
                bytes.append(0x80 | byte & 0x3F)
            }
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
