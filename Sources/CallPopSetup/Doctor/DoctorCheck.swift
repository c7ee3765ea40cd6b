/// One thing `callpop doctor` checked, in plain words, with the fix when it is not right.
public struct DoctorCheck: Sendable, Hashable {
    /// How it went.
    public enum Verdict: String, Sendable, Hashable {
        /// Works.
        case ok
        /// Popups work, but something is missing or odd (no buttons, no autostart).
        case warn
        /// Popups do not work until this is fixed.
        case fail
    }

    /// What was checked: `configuration`, `PBX`, `login`, `extension`, …
    public var subject: String
    public var verdict: Verdict
    /// What was found.
    public var finding: String
    /// What to do about it, when something is to be done.
    public var fix: String?
    /// How to use what was found (dunst: how to click an action).
    public var how: String?

    /// Creates a check result.
    public init(_ subject: String, _ verdict: Verdict, _ finding: String, fix: String? = nil, how: String? = nil) {
        self.subject = subject
        self.verdict = verdict
        self.finding = finding
        self.fix = fix
        self.how = how
    }
}

extension [DoctorCheck] {
    /// The report a person reads: one line per check, its fix or hint below it, a verdict last.
    public var report: String {
        let width = (map(\.subject.count).max() ?? 0) + 2
        var lines: [String] = []
        for check in self {
            let mark = switch check.verdict {
            case .ok: "ok  "
            case .warn: "warn"
            case .fail: "FAIL"
            }
            lines.append("\(mark)  \(check.subject)\(String(repeating: " ", count: width - check.subject.count))\(check.finding)")
            let indent = String(repeating: " ", count: 6 + width)
            if let fix = check.fix { lines.append(indent + "fix: " + fix) }
            if let how = check.how { lines.append(indent + "how: " + how) }
        }
        let failures = filter { $0.verdict == .fail }.count
        let warnings = filter { $0.verdict == .warn }.count
        lines.append("")
        if failures == 0 {
            lines.append("Call popups work" + (warnings == 0 ? "." : " (\(warnings) warning\(warnings == 1 ? "" : "s") above)."))
        } else {
            lines.append("Call popups do not work yet: fix the \(failures) FAIL line\(failures == 1 ? "" : "s") above, then run callpop doctor again.")
        }
        return lines.joined(separator: "\n")
    }

    /// 0 when everything a popup needs works, 1 otherwise.
    public var exitStatus: Int32 { contains { $0.verdict == .fail } ? 1 : 0 }
}
