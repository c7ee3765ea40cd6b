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

    /// The decision as one readable line.
    public var line: String {
        var who = remoteNumber.isEmpty ? "unknown number" : remoteNumber
        if !remoteName.isEmpty { who = "\"\(remoteName)\" <\(who)>" }
        var text = "\(verdict.rawValue) \(trigger.rawValue) \"\(ruleName)\" for \(direction.rawValue) call \(callID) \(who)"
        if let reason { text += ": \(reason.rawValue)" + (detail.map { " (\($0))" } ?? "") }
        if let plan { text += " → " + plan.argv.map(Self.quoted).joined(separator: " ") }
        return text
    }

    /// A word as a POSIX shell reads it back: bare when no shell gives any of its characters a
    /// meaning, else single-quoted. Caller ID is in these words, and people paste them into a terminal.
    public static func quoted(_ word: String) -> String {
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
