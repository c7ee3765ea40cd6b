public import CallPopCore
internal import CallPopPlatform
internal import FoundationEssentials

/// What `callpop history` prints: a table for people, or one JSON object per call.
public enum HistoryTable {
    /// The calls as a table, oldest first, times in local time.
    public static func render(_ calls: [HistoryCall]) -> String {
        guard !calls.isEmpty else { return "no calls in the history" }
        let header = ["TIME", "DIRECTION", "NUMBER", "NAME", "RESULT", "DURATION", "POPUPS", "CALL"]
        let rows = calls.map { call -> [String] in
            [
                WallClock.local(milliseconds: call.started), call.direction.rawValue, cell(call.number, 24), cell(call.name, 28),
                call.result.rawValue, duration(call), call.opened.isEmpty ? "-" : call.opened.joined(separator: ","), cell(call.id, 40),
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }

    /// One JSON object per line and call (NDJSON), for scripts.
    public static func json(_ calls: [HistoryCall]) -> String {
        calls.map { call in
            var w = JSONObjectWriter()
            w.add("call", call.id)
            w.add("started", WallClock.iso8601(milliseconds: call.started))
            w.add("ended", ifPresent: call.ended.map { WallClock.iso8601(milliseconds: $0) })
            w.add("answered", ifPresent: call.answered.map { WallClock.iso8601(milliseconds: $0) })
            w.add("direction", call.direction.rawValue)
            w.add("number", call.number)
            w.add("name", call.name)
            w.add("called", call.called)
            w.add("colleague", call.colleague)
            w.add("result", call.result.rawValue)
            w.add("opened", call.opened)
            w.add("offered", call.offered)
            return w.json
        }.joined(separator: "\n")
    }

    /// Talk time for answered calls (`1:05`, `1:02:07`), `-` for others.
    static func duration(_ call: HistoryCall) -> String {
        guard let answered = call.answered, let ended = call.ended else { return "-" }
        let seconds = max(0, Int((ended - answered) / 1000))
        let clock = seconds >= 3600 ? "\(seconds / 3600):" + pad(seconds / 60 % 60) : String(seconds / 60)
        return clock + ":" + pad(seconds % 60)
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    /// Caller ID for a cell: cleaned for display (no controls, no direction overrides), cut to `width`.
    private static func cell(_ text: String, _ width: Int) -> String {
        let clean = UntrustedText.clean(text, for: .display)
        if clean.isEmpty { return "-" }
        return clean.count > width ? String(clean.prefix(width - 1)) + "…" : clean
    }
}

/// Columns padded to their widest cell, two spaces apart; the last column is not padded.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
