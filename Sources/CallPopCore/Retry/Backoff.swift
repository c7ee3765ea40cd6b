/// Capped exponential backoff with jitter, for reconnecting to a PBX and for retrying a callback.
///
/// The n-th consecutive failure waits a random time between half and all of
/// `min(maximum, minimum * 2^n)`: doubling keeps a dead PBX from being
/// hammered, the cap bounds the wait once it is back, and the jitter keeps a
/// whole office of agents from reconnecting in the same instant after a PBX
/// restart.
///
/// A successful login is not the end of a failure streak: a PBX that accepts the login and
/// drops the connection at once would otherwise get a new login every `minimum`, forever.
/// Only a connection that stayed up for `stableAfter` starts the delays over.
public struct Backoff: Sendable {
    /// The first delay.
    public let minimum: Duration
    /// The largest delay.
    public let maximum: Duration
    /// How long a connection must last for the next failure to count as the first again.
    public let stableAfter: Duration
    private var failures = 0
    /// Connections in a row that ended within `stableAfter` of their login.
    public private(set) var shortConnections = 0

    /// Creates a backoff between `minimum` and `maximum` that has already seen `failures`
    /// failures (a callback read back from the spool goes on where it was).
    public init(minimum: Duration, maximum: Duration, failures: Int = 0, stableAfter: Duration = .seconds(30)) {
        self.minimum = max(minimum, .milliseconds(1))
        self.maximum = max(maximum, self.minimum)
        self.failures = max(0, failures)
        self.stableAfter = stableAfter
    }

    /// Notes that a connection ended `lasted` after its login: a long one starts the delays
    /// over, a short one continues the streak.
    public mutating func connectionEnded(after lasted: Duration) {
        if lasted >= stableAfter {
            reset()
        } else {
            shortConnections += 1
        }
    }

    /// The delay before the next attempt; each call counts one more failure.
    public mutating func nextDelay(using generator: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(failures, 30)
        failures += 1
        let ceiling = min(maximum, minimum * (1 << exponent))
        let ceilingMilliseconds = max(1, Int(ceiling / .milliseconds(1)))
        return .milliseconds(Int.random(in: (ceilingMilliseconds + 1) / 2...ceilingMilliseconds, using: &generator))
    }

    /// Forgets past failures and short connections.
    public mutating func reset() {
        failures = 0
        shortConnections = 0
    }
}
