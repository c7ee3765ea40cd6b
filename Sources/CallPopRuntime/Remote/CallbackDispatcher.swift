import CallPopCallbacks
import CallPopConfig
internal import CallPopCore
import CallPopPlatform
import Logging
import Synchronization

/// Turns call changes into callback requests: an `AgentObserver`, so it runs after the
/// agent has launched what the change called for — a callback never delays a popup.
///
/// Requests go to the delivery service through an ordered hand-off, so the agent never
/// waits for the spool either; in a dry run they are printed instead of sent.
final class CallbackDispatcher: AgentObserver, Sendable {
    private let tracker = Mutex(CallbackEventTracker())
    private let hold = Mutex(ContactHold())
    private let configuration: RemoteConfiguration
    private let log: CallbackLog
    private let handOff: AsyncStream<[CallbackRequest]>.Continuation?

    /// Sends through `delivery`, or (nil) only shows the requests.
    init(configuration: RemoteConfiguration, delivery: CallbackDelivery?, log: CallbackLog) {
        self.configuration = configuration
        self.log = log
        guard let delivery else {
            handOff = nil
            return
        }
        let (stream, continuation) = AsyncStream<[CallbackRequest]>.makeStream()
        handOff = continuation
        Task {
            for await requests in stream { await delivery.submit(requests) }
        }
    }

    deinit { handOff?.finish() }

    /// Every call change, also without callbacks: a reload may add the first one.
    var observes: AgentObservations { .calls }

    func callChanged(_ call: TrackedCall, offers: [Decision]) async {
        // Without callbacks no call is followed (every call event comes here). A call that is
        // live when a reload adds the first callback is new to them from its next change on.
        guard configuration.hasCallbacks else { return }
        // Callbacks that use the contact wait, like popups, until the lookup answered or its
        // budget passed; the changes held meanwhile go out then, in order, with the contact.
        var changes = [call]
        if call.lookup.isWaiting || hold.withLock({ $0.isHolding(call.event.callID) }),
           configuration.effective.callbacks.contains(where: \.usesContact) {
            changes = hold.withLock { $0.pass(call) }
        }
        let occurrences = tracker.withLock { tracker in changes.flatMap { tracker.observe($0) } }
        guard !occurrences.isEmpty else { return }
        let current = configuration.effective
        let now = WallClock.now
        var requests: [CallbackRequest] = []
        for occurrence in occurrences {
            for rule in current.callbacks {
                switch rule.request(for: occurrence, user: current.ruleSet.user, createdAt: now) {
                case .send(let request): requests.append(request)
                case .notApplicable: continue
                case .refused(let refusal):
                    log.refused(rule: rule, occurrence: occurrence, refusal)
                }
            }
        }
        guard !requests.isEmpty else { return }
        if let handOff {
            handOff.yield(requests)
        } else {
            for request in requests { log.show(request) }
        }
    }
}

/// Where callback requests (in a dry run) and results go: stdout for `--dry-run`, `--json`
/// and `simulate`, the log otherwise.
struct CallbackLog: Sendable {
    let output: DecisionOutput
    let dryRun: Bool
    let logger: Logger

    func show(_ request: CallbackRequest) {
        if output.format == .json {
            StandardStreams.out(request.json)
        } else {
            StandardStreams.out(request.lines.enumerated().map { $0 == 0 && dryRun ? "[dry-run] " + $1 : $1 }.joined(separator: "\n"))
        }
    }

    func refused(rule: CallbackRule, occurrence: CallbackOccurrence, _ refusal: URLCheck.Refusal) {
        let call = UntrustedText.clean(occurrence.event.callID, for: .logLine)
        let text = "skip callback \"\(rule.name)\" \(occurrence.kind.rawValue) for call \(call): refused-url (\(refusal.description))"
        if output.toStandardOutput, output.format == .text { StandardStreams.out(text) } else { logger.warning("\(text)") }
    }

    func result(_ result: CallbackResult) {
        if output.toStandardOutput {
            StandardStreams.out(output.format == .json ? result.json : result.line)
            return
        }
        switch result.outcome {
        case .delivered: logger.info("\(result.line)")
        case .retrying: logger.warning("\(result.line)")
        case .rejected, .dropped, .failed: logger.error("\(result.line)")
        }
    }
}
