/// RFC 4515 escaping of a value placed in an LDAP search filter.
public enum LDAPFilterValue {
    /// `value` with `*`, `(`, `)`, `\`, NUL and every byte outside printable ASCII written as
    /// `\xx`, so it can only ever be compared as a literal: `*)(uid=*` becomes
    /// `\2a\29\28uid=\2a`, which matches nothing but that text.
    public static func escape(_ value: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"), 0x00..<0x20, 0x7F...0xFF:
                output.append(UInt8(ascii: "\\"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default:
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
