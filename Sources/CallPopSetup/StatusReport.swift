internal import CallPopCore
internal import CallPopPlatform
internal import FoundationEssentials

/// `callpop status` for people: the agent's status JSON (`Status()` on the bus) in words.
public enum StatusReport {
    /// What the agent's `Status()` says; fields a newer or older agent lacks are optional.
    struct Status: Decodable {
        var version: String?
        var config: [String]?
        var source: String?
        var connection: String?
        var dry_run: Bool?
        var rules: [String]?
        var started: String?
        var last_event: String?
        var calls: [Call]?

        struct Call: Decodable {
            var call: String
            var direction: String
            var state: String
            var number: String?
            var name: String?
            var colleague: Bool?
        }
    }

    /// The status as lines of text; the JSON itself when it cannot be read.
    public static func render(json: String, now: Int64 = 0) -> String {
        guard let status = try? JSONDecoder().decode(Status.self, from: Data(json.utf8)) else { return json }
        let now = now == 0 ? WallClock.milliseconds() : now
        var lines: [String] = []
        var head = "callpop \(status.version ?? "?") is running"
        if let started = status.started, let ms = WallClock.parseISO8601(started) {
            head += " since \(WallClock.local(milliseconds: ms)) (\(ago(now - ms)))"
        }
        if status.dry_run == true { head += ", dry run: nothing is launched" }
        lines.append(head)
        lines.append("configuration: \((status.config ?? []).joined(separator: ", "))")
        lines.append("PBX: \(status.source ?? "?") — \(status.connection ?? "?")")
        if let last = status.last_event, let ms = WallClock.parseISO8601(last) {
            lines.append("last call event: \(WallClock.local(milliseconds: ms)) (\(ago(now - ms)) ago)")
        } else {
            lines.append("last call event: none since the start")
        }
        let rules = status.rules ?? []
        lines.append("rules: \(rules.isEmpty ? "none" : rules.joined(separator: ", "))")
        let calls = status.calls ?? []
        if calls.isEmpty {
            lines.append("live calls: none")
        } else {
            lines.append("live calls:")
            // The colleague column only when one is a colleague.
            let colleagues = calls.contains { $0.colleague == true }
            let rows = calls.map { call in
                [call.direction, call.state, clean(call.number), clean(call.name)]
                    + (colleagues ? [call.colleague == true ? "yes" : "no"] : []) + [clean(call.call)]
            }
            let header = ["DIRECTION", "STATE", "NUMBER", "NAME"] + (colleagues ? ["COLLEAGUE"] : []) + ["CALL"]
            lines += TextTable.render(header: header, rows: rows).split(separator: "\n").map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// `3 min`, `2 h 5 min`, `4 d 1 h`, `12 s`.
    static func ago(_ milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        if seconds < 60 { return "\(seconds) s" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60
        if hours < 24 { return "\(hours) h \(minutes % 60) min" }
        return "\(hours / 24) d \(hours % 24) h"
    }

    private static func clean(_ text: String?) -> String {
        let clean = UntrustedText.clean(text ?? "", for: .display)
        return clean.isEmpty ? "-" : clean
    }
}
