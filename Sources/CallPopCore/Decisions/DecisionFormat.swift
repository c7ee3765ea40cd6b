extension Decision {
    /// The decision as one JSON object (the `--json` decision log and the D-Bus signal).
    public var json: String {
        var w = JSONObjectWriter()
        w.add("call", callID)
        w.add("rule", ruleName)
        w.add("rule_id", ruleID)
        w.add("trigger", trigger.rawValue)
        w.add("direction", direction.rawValue)
        w.add("decision", verdict.rawValue)
        w.add("reason", ifPresent: reason?.rawValue)
        w.add("detail", ifPresent: detail)
        w.add("action", action.rawValue)
        w.add("url", ifPresent: plan?.url)
        if let plan { w.add("argv", plan.argv) }
        w.add("number", remoteNumber)
        w.add("name", remoteName)
        return w.json
    }

    /// The decision as one readable line. Every value a caller chooses (name, number, call id)
    /// is bare only when it is made of characters the line itself never uses as punctuation,
    /// and quoted with `\`, `"` and `→` escaped otherwise, so no value can forge a second
    /// target or another caller: the only `→` outside quotes is the one before the argv.
    public var line: String {
        var who = remoteNumber.isEmpty ? "unknown number" : Self.token(remoteNumber)
        if !remoteName.isEmpty { who = "\(Self.quoted(remoteName)) <\(who)>" }
        var text = "\(verdict.rawValue) \(trigger.rawValue) \(Self.quoted(ruleName)) for \(direction.rawValue) call \(Self.token(callID)) \(who)"
        if let reason { text += ": \(reason.rawValue)" + (detail.map { " (\($0))" } ?? "") }
        if let plan { text += " → " + plan.argv.map(Self.shellQuoted).joined(separator: " ") }
        return text
    }

    /// `value` as a readable line shows it: bare when every character is one of `A-Z a-z 0-9
    /// + - . _ * # @ : /` (numbers, call ids, channels), else `quoted(value)`.
    public static func token(_ value: String) -> String {
        if !value.isEmpty, value.utf8.allSatisfy(isBareByte) { return value }
        return quoted(value)
    }

    /// `value` in double quotes, with `\` and `"` escaped by a backslash and `→`, control and
    /// line-breaking characters written `\uXXXX`.
    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "→", "\u{00}"..."\u{1F}", "\u{7F}"..."\u{9F}", "\u{2028}", "\u{2029}":
                let hex = String(scalar.value, radix: 16, uppercase: false)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func isBareByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "*"), UInt8(ascii: "#"),
            UInt8(ascii: "@"), UInt8(ascii: ":"), UInt8(ascii: "/"):
            true
        default: false
        }
    }

    /// A word as a POSIX shell reads it back: bare when no shell gives any of its characters a
    /// meaning, else single-quoted. Caller ID is in these words, and people paste them into a terminal.
    public static func shellQuoted(_ word: String) -> String {
        if !word.isEmpty, word.unicodeScalars.allSatisfy(isShellInert) { return word }
        return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    private static func isShellInert(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "@", "%", "+", "=", ":", ",", ".", "/", "-": true
        default: false
        }
    }
}
