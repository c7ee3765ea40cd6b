/// Keeps warnings about hostile input from flooding the log: at most `burst` warnings per
/// source in a `window`; the rest are counted and summed up in one line when the window
/// ends. Every source of the agent's warnings about its peers (the AMI session, the SIP
/// subscriber's datagrams) goes through this one type.
///
/// Bounded: at most `maximumSources` sources are tracked at once (a flood from spoofed
/// addresses must not grow memory); beyond that, new sources share one entry.
public struct WarningLimiter<Source: Hashable & Sendable>: Sendable {
    /// What to do with one warning.
    public enum Verdict: Sendable, Hashable {
        /// Log it.
        case report
        /// Log it, saying that the next ones from this source are counted.
        case lastBeforeQuiet
        /// Count it.
        case suppress
    }

    /// Warnings counted instead of logged for one source (nil: the sources beyond the bound).
    public struct Suppressed: Sendable, Hashable {
        /// The source.
        public var source: Source?
        /// How many.
        public var count: Int

        /// Creates a count.
        public init(source: Source?, count: Int) {
            self.source = source
            self.count = count
        }
    }

    /// Warnings logged per source and window.
    public let burst: Int
    /// The window.
    public let window: Duration
    /// Sources tracked at once.
    public let maximumSources: Int

    private struct Entry: Sendable {
        var windowStart: ContinuousClock.Instant
        var reported = 0
        var suppressed = 0
    }

    private var entries: [Source?: Entry] = [:]

    /// Creates a limiter.
    public init(burst: Int = 5, window: Duration = .seconds(60), maximumSources: Int = 64) {
        self.burst = max(1, burst)
        self.window = window
        self.maximumSources = max(1, maximumSources)
    }

    /// Whether a warning from `source` at `now` is logged.
    public mutating func admit(_ source: Source, at now: ContinuousClock.Instant) -> Verdict {
        var key: Source? = source
        if entries[key] == nil, entries.count >= maximumSources {
            entries = entries.filter { $0.value.suppressed > 0 || now < $0.value.windowStart + window }
            if entries.count >= maximumSources { key = nil }
        }
        var entry = entries[key] ?? Entry(windowStart: now)
        if now >= entry.windowStart + window, entry.suppressed == 0 { entry = Entry(windowStart: now) }
        let verdict: Verdict
        if entry.reported < burst - 1 {
            entry.reported += 1
            verdict = .report
        } else if entry.reported == burst - 1 {
            entry.reported += 1
            verdict = .lastBeforeQuiet
        } else {
            entry.suppressed += 1
            verdict = .suppress
        }
        entries[key] = entry
        return verdict
    }

    /// The counts of the windows that have ended with warnings suppressed; those sources
    /// start afresh.
    public mutating func endedWindows(at now: ContinuousClock.Instant) -> [Suppressed] {
        var ended: [Suppressed] = []
        for (key, entry) in entries where now >= entry.windowStart + window {
            if entry.suppressed > 0 { ended.append(Suppressed(source: key, count: entry.suppressed)) }
            entries[key] = nil
        }
        return ended
    }

    /// When the first window with suppressed warnings ends, if any: a loop's next deadline.
    public var nextSummary: ContinuousClock.Instant? {
        entries.values.filter { $0.suppressed > 0 }.map { $0.windowStart + window }.min()
    }

    /// The words a `.lastBeforeQuiet` warning ends with.
    public var quietNotice: String {
        "; further warnings from here are counted and summed up within \(Self.seconds(window)) s"
    }

    /// The line for `suppressed` of a source called `name`.
    public func summary(_ suppressed: Suppressed, name: String) -> String {
        "\(suppressed.count) more warning\(suppressed.count == 1 ? "" : "s") from \(name) suppressed in the last \(Self.seconds(window)) s"
    }

    private static func seconds(_ duration: Duration) -> Int64 { duration.components.seconds }
}
