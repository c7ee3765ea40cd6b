/// Caps launches per minute so a storm of events (a misbehaving PBX, a replayed
/// stream) cannot open hundreds of windows. A sliding window over the last 60 s.
public struct RateLimiter: Sendable {
    /// Launches allowed in any 60-second window; 0 means no limit.
    public let perMinute: Int
    private var recent: [ContinuousClock.Instant] = []

    /// Creates a limiter.
    public init(perMinute: Int) {
        self.perMinute = perMinute
        recent.reserveCapacity(max(perMinute, 0))
    }

    /// Records a launch at `now` and returns `true`, or returns `false` when the limit is reached.
    public mutating func admit(at now: ContinuousClock.Instant) -> Bool {
        guard perMinute > 0 else { return true }
        recent.removeAll { now - $0 >= .seconds(60) }
        guard recent.count < perMinute else { return false }
        recent.append(now)
        return true
    }
}
