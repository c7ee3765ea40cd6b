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
        let callbacks = configuration.callbacks
        if !callbacks.isEmpty {
            lines.append("")
            let events = { (rule: CallbackRule) in
                CallbackEventKind.allCases.filter(rule.events.contains).map(\.rawValue).joined(separator: ",")
            }
            lines += table(
                ["CALLBACK", "NAME", "EVENTS", "ENABLED", "REQUEST"],
                callbacks.map { [$0.id, $0.name, events($0), $0.enabled ? "yes" : "no", "\($0.method) \($0.url.source)"] })
        }
        lines += directoryLines(configuration.lookup)
        for (name, resource) in [("colleagues", configuration.colleagueDirectory), ("provisioning", configuration.provisioning)] {
            if let resource { lines.append("\(name): \(URIUserinfo.redacted(resource.url)) (every \(Int(resource.refresh / .seconds(1))) s)") }
        }
        lines.append("")
        lines.append("configuration OK")
        return lines.joined(separator: "\n")
    }

    /// Rows under a header, each column as wide as its widest cell; the last column is not padded.
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        return ([header] + rows).map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
    }
}
