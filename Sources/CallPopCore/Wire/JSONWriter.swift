/// Writes one JSON object with keys in the order given: stable output for logs,
/// D-Bus signals and golden tests, without a general-purpose encoder.
public struct JSONObjectWriter: Sendable {
    private var text = "{"
    private var first = true

    /// Starts an empty object.
    public init() {
        text.reserveCapacity(512)  // a decision line: one allocation, not a growth series
    }

    /// Adds a string member.
    public mutating func add(_ key: String, _ value: String) {
        member(key)
        Self.appendString(value, to: &text)
    }

    /// Adds a string member when `value` is not nil.
    public mutating func add(_ key: String, ifPresent value: String?) {
        if let value { add(key, value) }
    }

    /// Adds a Boolean member.
    public mutating func add(_ key: String, _ value: Bool) {
        member(key)
        text += value ? "true" : "false"
    }

    /// Adds an integer member.
    public mutating func add(_ key: String, _ value: Int) {
        member(key)
        text += String(value)
    }

    /// Adds an array of strings.
    public mutating func add(_ key: String, _ values: [String]) {
        member(key)
        text += "["
        for (i, v) in values.enumerated() {
            if i > 0 { text += "," }
            Self.appendString(v, to: &text)
        }
        text += "]"
    }

    /// Adds a member whose value is already JSON.
    public mutating func add(_ key: String, rawJSON: String) {
        member(key)
        text += rawJSON
    }

    /// The finished object.
    public var json: String { text + "}" }

    private mutating func member(_ key: String) {
        if !first { text += "," }
        first = false
        Self.appendString(key, to: &text)
        text += ":"
    }

    /// Appends `value` as a JSON string literal, escaping quotes, backslashes and controls.
    ///
    /// Values are appended in bulk: nearly every value (ids, numbers, names, URLs) needs no
    /// escape, and the one scan that proves it is cheap; escapes are written between runs.
    public static func appendString(_ value: String, to out: inout String) {
        out += "\""
        var start = value.utf8.startIndex
        var index = start
        let end = value.utf8.endIndex
        while index < end {
            let byte = value.utf8[index]
            // Only ASCII needs escapes, plus U+2028/U+2029 (UTF-8 E2 80 A8/A9), which end a line in JavaScript.
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xE2 else {
                value.utf8.formIndex(after: &index)
                continue
            }
            let escape = escapeSequence(value.utf8[index...])
            guard let escape else {
                value.utf8.formIndex(after: &index)
                continue
            }
            // UTF-8 view bounds: an escape may sit inside a Character (`\r\n`, a quote and a combining mark).
            out.append(contentsOf: Substring(value.utf8[start..<index]))
            out += escape.text
            index = value.utf8.index(index, offsetBy: escape.length)
            start = index
        }
        out.append(contentsOf: Substring(value.utf8[start..<end]))
        out += "\""
    }

    /// The escape for the bytes at the start of `bytes` and how many bytes it replaces, or nil
    /// when they are written as they are.
    private static func escapeSequence(_ bytes: Substring.UTF8View) -> (text: String, length: Int)? {
        guard let byte = bytes.first else { return nil }
        switch byte {
        case 0x22: return ("\\\"", 1)
        case 0x5C: return ("\\\\", 1)
        case 0x0A: return ("\\n", 1)
        case 0x0D: return ("\\r", 1)
        case 0x09: return ("\\t", 1)
        case 0xE2:
            guard bytes.starts(with: [0xE2, 0x80, 0xA8]) || bytes.starts(with: [0xE2, 0x80, 0xA9]) else { return nil }
            return (bytes.dropFirst(2).first == 0xA8 ? "\\u2028" : "\\u2029", 3)
        default:
            let hex = String(byte, radix: 16)
            return ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex, 1)
        }
    }
}
