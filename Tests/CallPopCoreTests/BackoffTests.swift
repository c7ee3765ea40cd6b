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
