/// Writes one JSON object with keys in the order given: stable output for logs,
/// D-Bus signals and golden tests, without a general-purpose encoder.
public struct JSONObjectWriter: Sendable {
    private var text = "{"
    private var first = true

    /// Starts an empty object.
    public init() {}

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
    public static func appendString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
