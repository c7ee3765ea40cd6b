/// Bytes of a contact file as UTF-8, whatever the exporting program wrote: a UTF-8 byte
/// order mark is dropped, UTF-16 with a byte order mark (some Windows exports) is converted,
/// and text that is not valid UTF-8 is taken as Latin-1 (older Outlook and Excel exports).
enum TextDecoding {
    static func utf8(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Array(bytes.dropFirst(3)) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            let units = stride(from: 2, to: bytes.count - 1, by: 2).map { index in
                littleEndian ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8 : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            }
            return Array(String(decoding: units, as: UTF16.self).utf8)
        }
        if String(validating: bytes, as: UTF8.self) != nil { return bytes }
        return VCardText.latin1ToUTF8(bytes)
    }
}
