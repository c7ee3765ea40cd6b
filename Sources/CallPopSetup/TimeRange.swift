internal import CallPopPlatform

/// `--since` for `callpop history`: how far back, in the words people use.
public enum TimeRange {
    /// The start time (ms since 1970) `text` names, relative to `now`: `today`, `yesterday`,
    /// `30m`, `2h`, `7d`, `2025-03-01`, `2025-03-01 14:00` or `2025-03-01T14:00` (local time).
    /// Nil when it is none of these.
    public static func start(_ text: String, now given: Int64? = nil) -> Int64? {
        let now = given ?? WallClock.milliseconds()
        let word = text.lowercased().filter { $0 != " " }  // "2 h" as "2h"
        switch word {
        case "today": return WallClock.localMidnight(daysAgo: 0, now: now)
        case "yesterday": return WallClock.localMidnight(daysAgo: 1, now: now)
        default: break
        }
        if let unit = word.last, let amount = Int(word.dropLast()), amount >= 0, amount < 100_000 {
            let minutes: Int64? = switch unit {
            case "m": 1
            case "h": 60
            case "d": 24 * 60
            case "w": 7 * 24 * 60
            default: nil
            }
            if let minutes { return now - Int64(amount) * minutes * 60_000 }
        }
        return date(text)
    }

    /// `2025-03-01`, `2025-03-01 14:00`, `2025-03-01T14:00` in local time.
    private static func date(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard (1...2).contains(parts.count) else { return nil }
        let day = parts[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard day.count == 3, let year = day[0], let month = day[1], let dayOfMonth = day[2] else { return nil }
        var hour = 0, minute = 0
        if parts.count == 2 {
            let time = parts[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard (2...3).contains(time.count), let h = time[0], let m = time[1] else { return nil }
            hour = h
            minute = m
        }
        return WallClock.local(year: year, month: month, day: dayOfMonth, hour: hour, minute: minute)
    }
}
