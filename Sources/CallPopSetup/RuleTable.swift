public import CallPopConfig
internal import CallPopCore

/// The rule table `callpop check` prints.
public enum RuleTable {
    /// A summary of the configuration and a table of its rules.
    public static func render(_ configuration: Configuration) -> String {
        let rules = configuration.ruleSet.rules
        let user = configuration.ruleSet.user
        var lines = [
            "configuration: \(configuration.files.joined(separator: ", "))",
            "user: \(user.number)\(user.name.isEmpty ? "" : " \"\(user.name)\"")   pbx: \(configuration.pbx.source.rawValue)   rules: \(rules.count)",
            "",
        ]
        let header = ["ID", "NAME", "DIRECTION", "TRIGGER", "ENABLED", "TARGET"]
        let rows = rules.map { rule -> [String] in
            let target: String
            switch rule.target {
            case .url(let t): target = t.source
            case .app(let words): target = "app: " + words.map(\.source).joined(separator: " ")
            }
            return [rule.id, rule.name, rule.direction.rawValue, rule.trigger.rawValue, rule.enabled ? "yes" : "no", target]
        }
        lines.append(TextTable.render(header: header, rows: rows))
        if rules.isEmpty { lines.append("(no [[popup]] rules yet)") }
        lines.append("")
        lines.append("configuration OK")
        return lines.joined(separator: "\n")
    }
}
