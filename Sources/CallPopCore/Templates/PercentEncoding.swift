/// Percent-encoding for values inserted into URLs.
public enum PercentEncoding {
    /// `value` with every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`)
    /// written as `%XX` over its UTF-8 bytes: `+` becomes `%2B`, a space `%20`.
    public static func encode(_ value: String) -> String {
        var escaped = 0
        for byte in value.utf8 where !isUnreserved(byte) { escaped += 1 }
        if escaped == 0 { return value }  // ids and plain numbers: no copy
        return String(unsafeUninitializedCapacity: value.utf8.count + 2 * escaped) { out in
            var count = 0
            for byte in value.utf8 {
                if isUnreserved(byte) {
                    out[count] = byte
                    count += 1
                } else {
                    out[count] = UInt8(ascii: "%")
                    out[count + 1] = hexDigit(byte >> 4)
                    out[count + 2] = hexDigit(byte & 0x0F)
                    count += 3
                }
            }
            return count
        }
    }

    /// Appends `value` percent-encoded (as `encode` writes it) to `out`: what a URL expansion
    /// uses, with no string made per value.
    public static func encode(_ value: String, into out: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            for byte in bytes {
                if isUnreserved(byte) {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "%"))
                    out.append(hexDigit(byte >> 4))
                    out.append(hexDigit(byte & 0x0F))
                }
            }
        }
    }

    static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }

    /// The bytes of `text` with each `%XX` decoded once (`%252B` gives `%2B`), or `nil`
    /// when a `%` is not followed by two hex digits.
    public static func decode(_ text: Substring.UTF8View) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var iterator = text.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// The value of the hex digit `byte` (either case), or `nil`.
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
