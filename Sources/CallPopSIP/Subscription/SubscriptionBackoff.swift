/// How long to wait before subscribing again: capped exponential for faults that
/// pass, a long fixed pause for faults only a human can fix (wrong password,
/// event package refused), so a misconfigured client never hammers the PBX.
public struct SubscriptionBackoff: Sendable, Hashable {
    /// The first retry delay.
    public var initial: Duration
    /// The longest delay between retries of transient faults.
    public var cap: Duration
    /// The delay after a fault that needs a configuration change.
    public var configurationFault: Duration

    /// The defaults: 2 s doubling to 5 minutes; 15 minutes after a configuration fault.
    public init(initial: Duration = .seconds(2), cap: Duration = .seconds(300), configurationFault: Duration = .seconds(900)) {
        self.initial = initial
        self.cap = cap
        self.configurationFault = configurationFault
    }

    /// The delay before attempt number `failures + 1` after `failures` consecutive failures (≥ 1).
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initial
        for _ in 0..<min(max(failures - 1, 0), 30) where delay < cap { delay *= 2 }
        return min(cap, delay)
    }
}
