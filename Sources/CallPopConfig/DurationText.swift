/// A duration as the configuration writes it: a whole number of seconds (`2`), or a number
/// with a unit (`"300ms"`, `"2s"`, `"1.5s"`, `"15m"`, `"1h"`, `"7d"`).
enum DurationText {
    /// The duration `value` stands for, or nil when it is none.
    static func parse(_ value: ConfigValue) -> Duration? {
        switch value {
        case .integer(let seconds): return seconds >= 0 ? .seconds(seconds) : nil
        case .string(let text): return parse(text)
        default: return nil
        }
    }

    static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: " ")
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = trimmed.dropFirst(number.count).trimmingCharacters(in: " ").lowercased()
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number.first != ".", number.last != ".",
              let amount = Double(number)
        else { return nil }
        let milliseconds: Double
        switch unit {
        case "ms": milliseconds = amount
        case "s", "": milliseconds = amount * 1000
        case "m", "min": milliseconds = amount * 60_000
        case "h": milliseconds = amount * 3_600_000
        case "d": milliseconds = amount * 86_400_000
        default: return nil
        }
        guard milliseconds < 1e12 else { return nil }
        return .milliseconds(Int64(milliseconds.rounded()))
    }

    /// `300ms`, `2s`, `1.5s`, `15m`: how messages show a duration.
    static func describe(_ duration: Duration) -> String {
        let milliseconds = duration / .milliseconds(1)
        if milliseconds < 1000 { return "\(Int(milliseconds))ms" }
        if milliseconds.truncatingRemainder(dividingBy: 1000) != 0 { return "\(milliseconds / 1000)s" }
        let seconds = Int(milliseconds / 1000)
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0, seconds >= 60 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}

extension StringProtocol {
    /// Without leading and trailing `character`s.
    fileprivate func trimmingCharacters(in character: Character) -> String {
        guard let first = firstIndex(where: { $0 != character }), let last = lastIndex(where: { $0 != character }) else { return "" }
        return String(self[first...last])
    }
}
