internal import CallPopHashing

/// The exact HTTP request one callback makes for one call event: what is sent, spooled,
/// retried, and shown by `--dry-run` and `simulate`.
public struct CallbackRequest: Sendable, Hashable {
    /// The rule's id.
    public var ruleID: String
    /// The rule's name.
    public var ruleName: String
    /// The call's id, cleaned for logs.
    public var callID: String
    /// The event.
    public var event: CallbackEventKind
    /// The method.
    public var method: String
    /// The expanded URL.
    public var url: String
    /// Every header besides `User-Agent`, `Idempotency-Key` included; secrets marked.
    public var headers: [HeaderField]
    /// The body, when the method has one.
    public var body: String?
    /// Stable for the call, the event and the change: a receiver recognises a retry by it.
    public var idempotencyKey: String
    /// When the event happened, in seconds since the Unix epoch (survives a restart).
    public var createdAt: Int64
    /// How many attempts were made so far.
    public var attempts: Int
    /// The order requests were queued in (wall-clock nanoseconds, made strictly increasing by
    /// the delivery service), so the spool gives them back in that order after a restart.
    public var sequence: Int64 = 0
    /// How long one attempt may take.
    public var timeout: Duration
    /// How long the request may wait for delivery before it is dropped.
    public var maximumAge: Duration
    /// CAs to trust for the endpoint.
    public var caFile: String?

    /// Creates a request.
    public init(
        ruleID: String, ruleName: String, callID: String, event: CallbackEventKind, method: String, url: String,
        headers: [HeaderField], body: String?, idempotencyKey: String, createdAt: Int64, attempts: Int = 0,
        timeout: Duration, maximumAge: Duration, caFile: String?
    ) {
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.callID = callID
        self.event = event
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
        self.attempts = attempts
        self.timeout = timeout
        self.maximumAge = maximumAge
        self.caFile = caFile
    }

    /// The `Idempotency-Key` for one rule, user, call, event and change: SHA-256 in hex.
    public static func idempotencyKey(rule: String, user: String, call: String, event: CallbackEventKind, change: String) -> String {
        // Fields joined by a byte no field can hold (values are cleaned of controls).
        SHA256.hex(["callpop-callback-1", rule, user, call, event.rawValue, change].joined(separator: "\u{1F}"))
    }

    /// The request as `--dry-run` and `simulate` show it: one JSON object, secrets masked.
    public var json: String {
        var w = JSONObjectWriter()
        w.add("callback", ruleName)
        w.add("callback_id", ruleID)
        w.add("event", event.rawValue)
        w.add("call", callID)
        w.add("method", method)
        w.add("url", url)
        w.add("headers", headers.map { "\($0.name): \($0.shownValue)" })
        w.add("body", ifPresent: body)
        return w.json
    }

    /// The request as readable lines: the request line, each header, the body.
    public var lines: [String] {
        ["callback \"\(ruleName)\" \(event.rawValue) for call \(callID): \(method) \(url)"]
            + headers.map { "  \($0.name): \($0.shownValue)" }
            + (body.map { ["  " + UntrustedText.clean($0, for: .logLine)] } ?? [])
    }
}
