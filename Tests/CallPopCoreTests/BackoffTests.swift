import CallPopCore
import CallPopTestSupport
import Testing

/// The retry backoff of the PBX clients and callback delivery.
@Suite struct BackoffTests {
    /// Doubling from the minimum, capped, each delay between half and all of its ceiling; reset starts over.
    @Test func backoffDoublesWithJitterUpToTheCap() {
        var backoff = Backoff(minimum: .seconds(1), maximum: .seconds(60))
        var generator = SplitMix64(seed: 7)
        let ceilings = [1, 2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) }
        var delays: [Duration] = []
        for ceiling in ceilings {
            let delay = backoff.nextDelay(using: &generator)
            #expect(delay <= ceiling && delay >= ceiling / 2, "\(delay) within [\(ceiling / 2), \(ceiling)]")
            delays.append(delay)
        }
        #expect(Set(delays.suffix(3)).count > 1, "jitter: capped delays differ")
        backoff.reset()
        #expect(backoff.nextDelay(using: &generator) <= .seconds(1))
    }

    @Test func backoffSurvivesManyFailures() {
        var backoff = Backoff(minimum: .milliseconds(500), maximum: .seconds(300))
        var generator = SplitMix64(seed: 1)
        for _ in 0..<200 { _ = backoff.nextDelay(using: &generator) }
        #expect(backoff.nextDelay(using: &generator) <= .seconds(300))
    }
}

/// Issue #10, finding 9: a login is not the end of a failure streak.
@Suite struct BackoffStreakTests {
    @Test func onlyAStableConnectionStartsTheDelaysOver() {
        var backoff = Backoff(minimum: .seconds(1), maximum: .seconds(60), stableAfter: .seconds(30))
        var generator = SplitMix64(seed: 3)
        var ceilings: [Duration] = []
        for _ in 0..<5 {
            _ = backoff.nextDelay(using: &generator)
            backoff.connectionEnded(after: .milliseconds(200))  // logged in, dropped at once
            ceilings.append(backoff.nextDelay(using: &generator))
        }
        // Delays keep growing: the fifth retry waits at least half of 2^9 s capped at 60 s.
        #expect(ceilings.last! >= .seconds(30), "\(ceilings)")
        #expect(backoff.shortConnections == 5)
        backoff.connectionEnded(after: .seconds(31))
        #expect(backoff.shortConnections == 0)
        #expect(backoff.nextDelay(using: &generator) <= .seconds(1))
    }
}
