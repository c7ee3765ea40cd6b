/// What became of one callback request: its line in the decision log.
public struct CallbackResult: Sendable, Hashable {
    /// The outcome.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// A 2xx answer.
        case delivered
        /// An answer that retrying cannot change (4xx other than 429, 3xx): not sent again.
        case rejected
        /// A network failure, 429 or 5xx: sent again after `retryIn`.
        case retrying
        /// Older than the callback's `max_age` (or its rule is gone): given up and removed.
        case dropped
        /// Not sent: the request cannot be made (its URL was refused, the client is gone).
        case failed
    }

    /// The request it is about.
    public var request: CallbackRequest
    /// The outcome.
    public var outcome: Outcome
    /// The HTTP status, when an answer came.
    public var status: Int?
    /// The attempts made so far.
    public var attempts: Int
    /// How long the last attempt took.
    public var elapsed: Duration?
    /// For `retrying`: the wait before the next attempt.
    public var retryIn: Duration?
    /// Why, in words (a network error, the drop reason); never holds a secret.
    public var detail: String?

    /// Creates a result.
    public init(
        request: CallbackRequest, outcome: Outcome, status: Int? = nil, attempts: Int, elapsed: Duration? = nil,
        retryIn: Duration? = nil, detail: String? = nil
    ) {
        self.request = request
        self.outcome = outcome
        self.status = status
        self.attempts = attempts
        self.elapsed = elapsed
        self.retryIn = retryIn
        self.detail = detail
    }

    /// One JSON object for the `--json` decision log.
    public var json: String {
        var w = JSONObjectWriter()
        w.add("callback", request.ruleName)
        w.add("callback_id", request.ruleID)
        w.add("event", request.event.rawValue)
        w.add("call", request.callID)
        w.add("result", outcome.rawValue)
        if let status { w.add("status", status) }
        w.add("attempts", attempts)
        if let elapsed { w.add("ms", Int(elapsed / .milliseconds(1))) }
        if let retryIn { w.add("retry_in_ms", Int(retryIn / .milliseconds(1))) }
        w.add("detail", ifPresent: detail)
        w.add("key", request.idempotencyKey)
        return w.json
    }

    /// One readable line.
    public var line: String {
        var text = "callback \"\(request.ruleName)\" \(request.event.rawValue) for call \(request.callID): \(outcome.rawValue)"
        if let status { text += " \(status)" }
        text += " after \(attempts) attempt\(attempts == 1 ? "" : "s")"
        if let elapsed { text += " (\(Int(elapsed / .milliseconds(1))) ms)" }
        if let retryIn { text += "; next in \(Self.seconds(retryIn))" }
        if let detail { text += ": \(detail)" }
        return text
    }

    private static func seconds(_ duration: Duration) -> String {
        let tenths = Int(duration / .milliseconds(100))
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
