/// How long to wait before subscribing again: capped exponential for faults that
/// pass, a long fixed pause for faults only a human can fix (wrong password,
/// event package refused), so a misconfigured client never hammers the PBX.
public struct SubscriptionBackoff: Sendable, Hashable {
    /// The first retry delay in seconds.
    public var initial: Double
    /// The longest delay between retries of transient faults.
    public var cap: Double
    /// The delay after a fault that needs a configuration change.
    public var configurationFault: Double

    /// The defaults: 2 s doubling to 5 minutes; 15 minutes after a configuration fault.
    public init(initial: Double = 2, cap: Double = 300, configurationFault: Double = 900) {
        self.initial = initial
        self.cap = cap
        self.configurationFault = configurationFault
    }

    /// The delay before attempt number `failures + 1` after `failures` consecutive failures (≥ 1).
    public func delay(afterFailures failures: Int) -> Double {
        let exponent = Double(min(max(failures - 1, 0), 30))
        return min(cap, initial * pow2(exponent))
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}
