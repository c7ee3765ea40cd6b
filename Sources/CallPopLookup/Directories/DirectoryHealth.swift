internal import CallPopCore

/// Whether a directory is asked, after failures: a directory that fails (down, refusing the
/// password, too slow) is reported once and then rests — skipped, never retried per call —
/// for a back-off that grows with each failure in a row (30 s doubling to 15 min, with
/// jitter). After the rest the next call tries it once; when it answers again that is
/// reported once too. Pure: the caller passes the time and a random number generator.
public struct DirectoryHealth: Sendable {
    /// What to tell the user after an attempt.
    public enum Report: Sendable, Hashable {
        /// Nothing new.
        case none
        /// The directory started failing: say so, once.
        case down(String)
        /// The directory answers again after failing: say so, once.
        case recovered
    }

    private var backoff: Backoff
    /// Until when the directory rests; nil while it is healthy.
    public private(set) var restingUntil: ContinuousClock.Instant?
    /// Whether the last attempt failed.
    public private(set) var isFailing = false
    /// The last failure's message, for `callpop lookup` and the status.
    public private(set) var lastFailure: String?

    /// A healthy directory; rests grow from `minimum` to `maximum`.
    public init(minimum: Duration = .seconds(30), maximum: Duration = .seconds(15 * 60)) {
        backoff = Backoff(minimum: minimum, maximum: maximum)
    }

    /// Whether the directory may be asked at `now` (it is not resting).
    public func isAvailable(at now: ContinuousClock.Instant) -> Bool {
        restingUntil.map { now >= $0 } ?? true
    }

    /// An attempt failed at `now` with `message`: the directory rests; `.down` the first time.
    public mutating func failed(_ message: String, at now: ContinuousClock.Instant, using generator: inout some RandomNumberGenerator) -> Report {
        restingUntil = now + backoff.nextDelay(using: &generator)
        lastFailure = message
        defer { isFailing = true }
        return isFailing ? .none : .down(message)
    }

    /// An attempt succeeded: the directory is healthy; `.recovered` when it was failing.
    public mutating func succeeded() -> Report {
        backoff.reset()
        restingUntil = nil
        defer { isFailing = false }
        return isFailing ? .recovered : .none
    }
}
