/// What to do after one attempt of a callback: deliver, give up, or retry — and when.
///
/// Retried: network failures, `429 Too Many Requests` and `5xx`, with capped exponential
/// backoff and jitter, or after the server's `Retry-After` when it gives one (capped too, so
/// a server cannot park a callback for a year). Never retried: any other status, including
/// every other `4xx` (the request itself is wrong; sending it again cannot help) and `3xx`
/// (redirects are not followed).
public struct CallbackRetryPolicy: Sendable, Hashable {
    /// The verdict on one attempt.
    public enum Verdict: Sendable, Hashable {
        /// `2xx`: done.
        case delivered
        /// A status that retrying cannot change.
        case rejected
        /// Try again after this long.
        case retry(after: Duration)
    }

    /// The first retry delay.
    public var minimum: Duration
    /// The longest retry delay, and the most a `Retry-After` is honoured for.
    public var maximum: Duration

    /// Creates a policy; by default retries start at 1 s and back off to 5 minutes.
    public init(minimum: Duration = .seconds(1), maximum: Duration = .seconds(300)) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The verdict after attempt number `attempts` (1 for the first) answered with `status`
    /// and `retryAfter`, or failed on the network (`status == nil`); `now` is Unix seconds.
    public func verdict(
        status: Int?, retryAfter: String?, attempts: Int, now: Int64, using generator: inout some RandomNumberGenerator
    ) -> Verdict {
        if let status {
            if (200..<300).contains(status) { return .delivered }
            guard status == 429 || (500..<600).contains(status) else { return .rejected }
            if let retryAfter, let asked = Self.retryAfter(retryAfter, now: now) {
                return .retry(after: min(max(asked, .zero), maximum))
            }
        }
        var backoff = Backoff(minimum: minimum, maximum: maximum, failures: max(0, attempts - 1))
        return .retry(after: backoff.nextDelay(using: &generator))
    }

    /// A `Retry-After` value: delay-seconds, or an HTTP date (IMF-fixdate) relative to `now`.
    public static func retryAfter(_ value: String, now: Int64) -> Duration? {
        let trimmed = value.trimmingBlanks
        if let seconds = Int64(trimmed), seconds >= 0 { return .seconds(seconds) }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        return .seconds(max(0, date - now))
    }
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the date form HTTP sends.
enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since the Unix epoch, or nil for anything else.
    static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int64(parts[1]), (1...31).contains(day),
              let month = months.firstIndex(of: String(parts[2])), let year = Int64(parts[3]), year >= 1970
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int64(clock[0]), let minute = Int64(clock[1]), let second = Int64(clock[2]),
              hour < 24, minute < 60, second < 61
        else { return nil }
        return (daysFromCivil(year, Int64(month) + 1, day) * 86_400) + hour * 3600 + minute * 60 + second
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let year = m <= 2 ? y - 1 : y
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingBlanks: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
