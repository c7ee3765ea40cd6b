import CallPopCore
import CallPopTestSupport
import Testing

/// When a callback is retried, and after how long.
@Suite("Callback retries")
struct CallbackRetryPolicyTests {
    let policy = CallbackRetryPolicy(minimum: .seconds(1), maximum: .seconds(60))

    func verdict(_ status: Int?, retryAfter: String? = nil, attempts: Int = 1) -> CallbackRetryPolicy.Verdict {
        var generator = SplitMix64(seed: 7)
        return policy.verdict(status: status, retryAfter: retryAfter, attempts: attempts, now: 1_800_000_000, using: &generator)
    }

    @Test func statuses() {
        for status in [200, 201, 202, 204, 299] { #expect(verdict(status) == .delivered, "\(status)") }
        for status in [301, 302, 304, 400, 401, 403, 404, 405, 409, 410, 413, 422, 451] { #expect(verdict(status) == .rejected, "\(status)") }
        for status in [nil, 429, 500, 502, 503, 504, 599] {
            guard case .retry = verdict(status) else { Issue.record("\(String(describing: status)) not retried"); continue }
        }
    }

    @Test("Retry-After in seconds or as an HTTP date, capped at the maximum; garbage falls back to the backoff")
    func retryAfter() {
        #expect(verdict(503, retryAfter: "7") == .retry(after: .seconds(7)))
        #expect(verdict(429, retryAfter: " 0 ") == .retry(after: .zero))
        #expect(verdict(429, retryAfter: "86400") == .retry(after: .seconds(60)))
        // 2027-01-15T08:00:30Z is 30 s after 1_800_000_000 (2027-01-15T08:00:00Z).
        #expect(CallbackRetryPolicy.retryAfter("Fri, 15 Jan 2027 08:00:30 GMT", now: 1_800_000_000) == .seconds(30))
        #expect(CallbackRetryPolicy.retryAfter("Fri, 15 Jan 2027 07:00:00 GMT", now: 1_800_000_000) == .zero)
        for garbage in ["", "soon", "-5", "Fri, 15 Jan 2027 25:00:00 GMT", "Fri, 15 Foo 2027 08:00:30 GMT", "1.5"] {
            #expect(CallbackRetryPolicy.retryAfter(garbage, now: 0) == nil, "\(garbage)")
        }
        guard case .retry(let delay) = verdict(503, retryAfter: "soon") else { Issue.record("not retried"); return }
        #expect(delay >= .milliseconds(500) && delay <= .seconds(1))
    }

    @Test("without Retry-After the delay grows with the attempts, with jitter, up to the cap")
    func backoff() {
        func delay(_ attempts: Int) -> Duration {
            if case .retry(let d) = verdict(nil, attempts: attempts) { d } else { .zero }
        }
        #expect(delay(1) >= .milliseconds(500) && delay(1) <= .seconds(1))
        #expect(delay(3) >= .seconds(2) && delay(3) <= .seconds(4))
        #expect(delay(20) >= .seconds(30) && delay(20) <= .seconds(60))
    }
}
