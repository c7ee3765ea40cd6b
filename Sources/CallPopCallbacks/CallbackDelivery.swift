public import CallPopCore
public import CallPopHTTP
import CallPopPlatform

/// Sends callback requests without ever holding up a popup or the agent.
///
/// `submit` only records the requests (in memory and in the spool) and returns; delivery
/// runs in tasks of its own, one queue per callback rule so a CRM sees a call's `new`,
/// `updated` and `ended` in order even across retries. Each request is retried with capped
/// exponential backoff and jitter on network errors, 429 and 5xx (after `Retry-After` when
/// given), never on other answers, and dropped (and reported) once older than its rule's
/// `max_age`. Requests still waiting when the agent stops stay in the spool and are sent
/// after the next start (`resume`).
public actor CallbackDelivery {
    /// Where results go (the decision log).
    public typealias Reporter = @Sendable (CallbackResult) -> Void
    /// The current secret headers of a rule by id; nil when the rule no longer exists.
    public typealias Secrets = @Sendable (String) -> [HeaderField]?

    private let client: HTTPClient
    private let spool: CallbackSpool?
    private let policy: CallbackRetryPolicy
    private let report: Reporter
    private let secrets: Secrets
    private var queues: [String: [CallbackRequest]] = [:]
    private var workers: [String: Task<Void, Never>] = [:]
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var generator = SystemRandomNumberGenerator()
    private var lastSequence: Int64 = 0

    /// Creates a delivery service; `spool` nil keeps requests in memory only.
    public init(
        client: HTTPClient, spool: CallbackSpool?, policy: CallbackRetryPolicy = CallbackRetryPolicy(),
        secrets: @escaping Secrets, report: @escaping Reporter
    ) {
        self.client = client
        self.spool = spool
        self.policy = policy
        self.secrets = secrets
        self.report = report
    }

    /// Reads the spool back (after a restart) and queues what is still wanted; requests
    /// older than their `max_age`, or whose rule is gone while they need its secrets, are
    /// dropped and reported. Returns how many were queued.
    @discardableResult
    public func resume() -> Int {
        guard let spool else { return 0 }
        let contents = spool.load()
        for name in contents.damaged {
            report(CallbackResult(
                request: Self.placeholder(name), outcome: .dropped, attempts: 0, detail: "the spool file \(name) is damaged; removed"))
        }
        var queued = 0
        for entry in contents.entries {
            var request = entry.request
            if !entry.secretHeaderNames.isEmpty {
                guard let current = secrets(request.ruleID) else {
                    drop(request, "its callback rule is gone, and with it the secret headers it needs")
                    continue
                }
                request.headers += current.filter { entry.secretHeaderNames.contains($0.name) }
            }
            enqueue(request)
            queued += 1
        }
        return queued
    }

    /// Queues `requests` for delivery and returns at once.
    public func submit(_ requests: [CallbackRequest]) {
        for var request in requests {
            lastSequence = max(lastSequence + 1, WallClock.nanoseconds)
            request.sequence = lastSequence
            do { try spool?.save(request) } catch {
                report(CallbackResult(request: request, outcome: .retrying, attempts: 0, detail: "not spooled (\(error)); kept in memory"))
            }
            enqueue(request)
        }
        trimSpool()
    }

    /// Requests not yet delivered, rejected or dropped.
    public var pending: Int { queues.values.reduce(0) { $0 + $1.count } }

    /// Returns once nothing is pending (tests, `--events` at end of input).
    public func waitUntilIdle() async {
        guard pending > 0 else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    /// Stops delivering; what is pending stays in the spool for the next start.
    public func stop() {
        for worker in workers.values { worker.cancel() }
        workers = [:]
        queues = [:]
        releaseIdleWaiters()
    }

    // MARK: Queues

    private func enqueue(_ request: CallbackRequest) {
        let rule = request.ruleID
        if queues[rule]?.contains(where: { $0.idempotencyKey == request.idempotencyKey }) == true { return }
        queues[rule, default: []].append(request)
        guard workers[rule] == nil else { return }
        workers[rule] = Task { await self.work(rule) }
    }

    private func work(_ rule: String) async {
        while !Task.isCancelled, let request = queues[rule]?.first {
            await deliver(request)
            guard !Task.isCancelled else { return }
            queues[rule]?.removeFirst()
            if queues[rule]?.isEmpty == true { queues[rule] = nil }
        }
        workers[rule] = nil
        if queues.isEmpty { releaseIdleWaiters() }
    }

    /// Attempts `request` until it is delivered, rejected or too old.
    private func deliver(_ original: CallbackRequest) async {
        var request = original
        while !Task.isCancelled {
            let age = Duration.seconds(max(0, WallClock.now - request.createdAt))
            guard age <= request.maximumAge else {
                drop(request, "older than its max_age of \(Int(request.maximumAge / .seconds(1))) s")
                return
            }
            request.attempts += 1
            try? spool?.save(request)
            let started = ContinuousClock.now
            var status: Int?
            var retryAfter: String?
            var failure: HTTPError?
            do {
                let response = try await client.send(HTTPRequest(
                    method: request.method, url: request.url,
                    headers: request.headers,
                    body: request.body.map { Array($0.utf8) }, timeout: request.timeout, connectTimeout: request.timeout,
                    caFile: request.caFile, maximumResponseBytes: 64 * 1024))
                status = response.status
                retryAfter = response.header("Retry-After")
            } catch {
                failure = error
            }
            if Task.isCancelled { return }  // stopping: the request stays in the spool
            let elapsed = ContinuousClock.now - started
            if let failure, !failure.isRetryable {
                finish(request, CallbackResult(request: request, outcome: .failed, attempts: request.attempts, elapsed: elapsed, detail: failure.message))
                return
            }
            switch policy.verdict(status: status, retryAfter: retryAfter, attempts: request.attempts, now: WallClock.now, using: &generator) {
            case .delivered:
                finish(request, CallbackResult(request: request, outcome: .delivered, status: status, attempts: request.attempts, elapsed: elapsed))
                return
            case .rejected:
                finish(request, CallbackResult(request: request, outcome: .rejected, status: status, attempts: request.attempts, elapsed: elapsed, detail: "not retried"))
                return
            case .retry(let delay):
                report(CallbackResult(
                    request: request, outcome: .retrying, status: status, attempts: request.attempts, elapsed: elapsed, retryIn: delay,
                    detail: failure?.message))
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    private func finish(_ request: CallbackRequest, _ result: CallbackResult) {
        spool?.remove(request.idempotencyKey)
        report(result)
    }

    private func drop(_ request: CallbackRequest, _ why: String) {
        spool?.remove(request.idempotencyKey)
        report(CallbackResult(request: request, outcome: .dropped, attempts: request.attempts, detail: why))
    }

    /// Beyond the spool's capacity, the oldest waiting requests are dropped.
    private func trimSpool() {
        guard let spool else { return }
        let waiting = queues.values.flatMap { $0 }.sorted { $0.createdAt < $1.createdAt }
        guard waiting.count > spool.capacity else { return }
        for request in waiting.prefix(waiting.count - spool.capacity) {
            drop(request, "the spool holds at most \(spool.capacity) callbacks")
            queues[request.ruleID]?.removeAll { $0.idempotencyKey == request.idempotencyKey }
        }
    }

    private func releaseIdleWaiters() {
        let waiters = idleWaiters
        idleWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// A stand-in request to report a damaged spool file by.
    private static func placeholder(_ name: String) -> CallbackRequest {
        CallbackRequest(
            ruleID: "", ruleName: "", callID: "", event: .new, method: "GET", url: "", headers: [], body: nil,
            idempotencyKey: UntrustedText.clean(name, for: .logLine), createdAt: 0, timeout: .seconds(1), maximumAge: .zero, caFile: nil)
    }
}
