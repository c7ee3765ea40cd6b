/// Writes one JSON object with keys in the order given: stable output for logs,
/// D-Bus signals and golden tests, without a general-purpose encoder.
///
/// Built as UTF-8 bytes in one buffer, values copied in bulk: a decision line is written for
/// every decision on the event path, so it costs a few hundred instructions, not tens of thousands.
public struct JSONObjectWriter: Sendable {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    /// Starts an empty object.
    public init() {
        bytes.reserveCapacity(512)  // a decision line: one allocation, not a growth series
    }

    /// Adds a string member.
    public mutating func add(_ key: String, _ value: String) {
        member(key)
        Self.appendString(value, to: &bytes)
    }

    /// Adds a string member when `value` is not nil.
    public mutating func add(_ key: String, ifPresent value: String?) {
        if let value { add(key, value) }
    }

    /// Adds a Boolean member.
    public mutating func add(_ key: String, _ value: Bool) {
        member(key)
        bytes += (value ? "true" : "false").utf8
    }

    /// Adds an integer member.
    public mutating func add(_ key: String, _ value: Int) {
        member(key)
        bytes += String(value).utf8
    }

    /// Adds an array of strings.
    public mutating func add(_ key: String, _ values: [String]) {
        member(key)
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            Self.appendString(v, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Adds a member whose value is already JSON.
    public mutating func add(_ key: String, rawJSON: String) {
        member(key)
        bytes += rawJSON.utf8
    }

    /// The finished object.
    public var json: String {
        String(unsafeUninitializedCapacity: bytes.count + 1) { out in
            _ = out.initialize(fromContentsOf: bytes)
            out[bytes.count] = UInt8(ascii: "}")
            return bytes.count + 1
        }
    }

    private mutating func member(_ key: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends `value` as a JSON string literal, escaping quotes, backslashes and controls.
    public static func appendString(_ value: String, to out: inout String) {
        var bytes: [UInt8] = []
        appendString(value, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` as a JSON string literal to UTF-8 `out`.
    ///
    /// Values are copied in bulk: nearly every value (ids, numbers, names, URLs) needs no
    /// escape, and the one scan that proves it is cheap; escapes are written between runs.
    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                // Only ASCII needs escapes, plus U+2028/U+2029 (UTF-8 E2 80 A8/A9), which end a line in JavaScript.
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xE2,
                      let escape = escapeSequence(UnsafeBufferPointer(rebasing: utf8[index...]))
                else {
                    index += 1
                    continue
                }
                out += UnsafeBufferPointer(rebasing: utf8[start..<index])
                out += escape.text.utf8
                index += escape.length
                start = index
            }
            out += UnsafeBufferPointer(rebasing: utf8[start...])
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The escape for the bytes at the start of `bytes` and how many bytes it replaces, or nil
    /// when they are written as they are.
    private static func escapeSequence(_ bytes: UnsafeBufferPointer<UInt8>) -> (text: String, length: Int)? {
        guard let byte = bytes.first else { return nil }
        switch byte {
        case 0x22: return ("\\\"", 1)
        case 0x5C: return ("\\\\", 1)
        case 0x0A: return ("\\n", 1)
        case 0x0D: return ("\\r", 1)
        case 0x09: return ("\\t", 1)
        case 0xE2:
            guard bytes.count >= 3, bytes[1] == 0x80, bytes[2] == 0xA8 || bytes[2] == 0xA9 else { return nil }
            return (bytes[2] == 0xA8 ? "\\u2028" : "\\u2029", 3)
        default:
            let hex = String(byte, radix: 16)
            return ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex, 1)
        }
    }
}
