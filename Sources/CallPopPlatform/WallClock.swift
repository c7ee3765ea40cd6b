internal import Glibc

/// The calendar time, for what people read (when the agent started, when a call came) and
/// what is kept across restarts (the call history). Intervals use `ContinuousClock`.
public enum WallClock {
    /// Seconds since the Unix epoch.
    public static var now: Int64 { milliseconds() / 1000 }

    /// Nanoseconds since the Unix epoch.
    public static var nanoseconds: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// Milliseconds since 1970-01-01 UTC.
    public static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// `2025-03-01T09:30:05Z`.
    public static func iso8601(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return date(parts) + "T" + time(parts) + "Z"
    }

    /// Milliseconds for `2025-03-01T09:30:05Z` (or with fractional seconds), nil for anything else.
    public static func parseISO8601(_ text: String) -> Int64? {
        let digits = Array(text.utf8)
        guard digits.count >= 20, digits.last == UInt8(ascii: "Z") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int32? {
            var value: Int32 = 0
            for byte in digits[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int32(byte - 48)
            }
            return value
        }
        guard digits[4] == 45, digits[7] == 45, digits[10] == 84, digits[13] == 58, digits[16] == 58,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        guard seconds != -1 else { return nil }
        return Int64(seconds) * 1000
    }

    /// Local time as `2025-03-01 10:30:05`, as a terminal user reads it.
    public static func local(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return date(parts) + " " + time(parts)
    }

    /// Milliseconds at local midnight starting the day `daysAgo` days before today.
    public static func localMidnight(daysAgo: Int, now: Int64 = milliseconds()) -> Int64 {
        var seconds = time_t(now / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        parts.tm_mday -= Int32(daysAgo)
        parts.tm_isdst = -1
        return Int64(mktime(&parts)) * 1000
    }

    /// Milliseconds at a local date and time (`mktime` normalises out-of-range fields); nil when invalid.
    public static func local(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0) -> Int64? {
        guard (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_isdst = -1
        let seconds = mktime(&parts)
        return seconds == -1 ? nil : Int64(seconds) * 1000
    }

    private static func date(_ parts: tm) -> String {
        pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2)
    }

    private static func time(_ parts: tm) -> String {
        pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
    }

    private static func pad(_ value: Int32, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
