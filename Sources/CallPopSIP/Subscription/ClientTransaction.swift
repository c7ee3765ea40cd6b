/// A non-INVITE client transaction (RFC 3261 17.1.2): retransmission timer E over UDP,
/// timeout timer F on every transport. Times are monotonic instants.
struct ClientTransaction: Sendable {
    /// RFC 3261 timer values: T1 (RTT estimate), T2 (retransmit cap), F = 64·T1.
    static let t1 = Duration.milliseconds(500)
    static let t2 = Duration.seconds(4)
    static let timeoutF = t1 * 64

    /// The request as sent (retransmitted byte for byte).
    let request: SIPMessage
    /// The Via branch that identifies the transaction.
    let branch: String
    /// The CSeq method.
    let method: String
    /// When timer F fires.
    let timeoutAt: ContinuousClock.Instant
    /// When timer E fires next; `nil` on reliable transports.
    private(set) var retransmitAt: ContinuousClock.Instant?
    private var interval: Duration
    private var proceeding = false

    init(request: SIPMessage, branch: String, method: String, reliable: Bool, now: ContinuousClock.Instant) {
        self.request = request
        self.branch = branch
        self.method = method
        timeoutAt = now + Self.timeoutF
        interval = Self.t1
        retransmitAt = reliable ? nil : now + Self.t1
    }

    /// The earliest timer.
    var deadline: ContinuousClock.Instant { min(retransmitAt ?? timeoutAt, timeoutAt) }

    /// Whether `response` belongs to this transaction (top Via branch and CSeq method).
    func matches(_ response: SIPMessage) -> Bool {
        guard let via = response.listValues("Via").first, response.cseq?.method == method else { return false }
        return SIPText.parameters(via.drop(while: { $0 != ";" }))["branch"] == branch
    }

    /// A provisional response: retransmit every T2 from now on (17.1.2.2, "Proceeding").
    mutating func gotProvisional(now: ContinuousClock.Instant) {
        proceeding = true
        if retransmitAt != nil { interval = Self.t2; retransmitAt = now + Self.t2 }
    }

    /// Advances the timers: whether to retransmit now, or whether the transaction timed out.
    mutating func fire(now: ContinuousClock.Instant) -> (retransmit: Bool, timedOut: Bool) {
        if now >= timeoutAt { return (false, true) }
        guard let due = retransmitAt, now >= due else { return (false, false) }
        interval = proceeding ? Self.t2 : min(interval * 2, Self.t2)
        retransmitAt = now + interval
        return (true, false)
    }
}
