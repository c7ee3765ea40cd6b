public import CallPopAMI
import CallPopPlatform
import Synchronization

/// One click-to-dial request for the AMI session: ring `device`, and once it answers
/// dial `exten` from `context`.
public struct AMIDialRequest: Sendable, Hashable {
    /// The user's device, `PJSIP/201`.
    public var device: String
    /// The dialplan context the answered phone dials from.
    public var context: String
    /// What the PBX dials (the dial plan's number: `0-9 * # +` only).
    public var exten: String
    /// `"Alice Agent" <201>`.
    public var callerID: String?
    /// How long the user's phone may ring.
    public var timeout: Duration
    /// How long the request may wait for a logged-in session before it is refused: a
    /// phone must never start ringing long after the user asked.
    public var connectWait: Duration

    /// Creates a request.
    public init(
        device: String, context: String, exten: String, callerID: String?, timeout: Duration = .seconds(30),
        connectWait: Duration = .seconds(10)
    ) {
        self.device = device
        self.context = context
        self.exten = exten
        self.callerID = callerID
        self.timeout = timeout
        self.connectWait = connectWait
    }

    /// The outcome of a request that was never sent.
    func unsent(_ result: AMIOriginateOutcome.Result) -> AMIOriginateOutcome {
        AMIOriginateOutcome(actionID: "", result: result, exten: exten, device: device)
    }
}

/// The command channel from async code to the AMI source's I/O thread: a small queue
/// and the loop's own `WakePipe`, so a dial reaches the live session without a second
/// loop or connection. `dial` waits for the `OriginateResponse` (the tracker's outcome).
public final class AMIDialChannel: Sendable {
    /// A request and where its outcome goes.
    struct Entry: Sendable {
        let request: AMIDialRequest
        let sendBy: ContinuousClock.Instant
        let answer: OneShot<AMIOriginateOutcome>
    }

    private struct State {
        var queue: [Entry] = []
        var wake: WakePipe?
        /// The session is logged in. Only then is the loop woken: a wake-up also abandons a
        /// connection attempt in progress, which a dial must not restart.
        var ready = false
    }

    /// The most requests waiting at once; more are refused (the rate limit stops a user long before).
    static let capacity = 8

    private let state = Mutex(State())

    /// Creates a channel; a source loop attaches to it when it runs.
    public init() {}

    /// Hands `request` to the session and waits for its outcome. A request that finds no
    /// logged-in session within `connectWait` is refused as `notConnected`.
    public func dial(_ request: AMIDialRequest) async -> AMIOriginateOutcome {
        let entry = Entry(request: request, sendBy: .now + request.connectWait, answer: OneShot())
        let (accepted, wake) = state.withLock { state -> (Bool, WakePipe?) in
            guard state.queue.count < Self.capacity else { return (false, nil) }
            state.queue.append(entry)
            return (true, state.ready ? state.wake : nil)
        }
        guard accepted else { return request.unsent(.notConnected) }
        wake?.wake()
        // The loop answers every request it takes; the bound covers a loop that never comes.
        let bound = request.connectWait + request.timeout + .seconds(20)
        return await entry.answer.value(within: bound) ?? request.unsent(.timedOut)
    }

    // MARK: The loop's side

    /// The loop runs: wake it for new requests.
    func attach(_ wake: WakePipe) {
        state.withLock { $0.wake = wake }
    }

    /// Whether the session is logged in (new requests then wake the loop at once).
    func setReady(_ ready: Bool) {
        state.withLock { $0.ready = ready }
    }

    /// The loop ended: later requests wait for the next one (or their bound).
    func detach() {
        state.withLock {
            $0.wake = nil
            $0.ready = false
        }
    }

    /// The requests that arrived since the last call.
    func take() -> [Entry] {
        state.withLock { state in
            defer { state.queue = [] }
            return state.queue
        }
    }
}

/// The loop's side of click-to-dial: requests waiting for a logged-in session, and sent
/// Originates waiting for their outcome. Lives across reconnections.
struct AMIDialBook {
    let channel: AMIDialChannel
    private var waiting: [AMIDialChannel.Entry] = []
    private var answers: [String: OneShot<AMIOriginateOutcome>] = [:]
    private var random = SystemRandomNumberGenerator()

    init(channel: AMIDialChannel) {
        self.channel = channel
    }

    /// When a waiting request must be refused, if it is still not sent.
    var nextExpiry: ContinuousClock.Instant? { waiting.map(\.sendBy).min() }

    /// Takes new requests, sends those it can on `session`, refuses expired ones, and
    /// answers the Originates the session has settled. Returns what to write.
    mutating func turn(_ session: inout AMISession, at now: ContinuousClock.Instant) -> [AMISession.Action] {
        channel.setReady(session.isLoggedIn)
        waiting += channel.take()
        var actions: [AMISession.Action] = []
        var kept: [AMIDialChannel.Entry] = []
        for entry in waiting {
            let request = entry.request
            if now >= entry.sendBy {
                entry.answer.fulfil(request.unsent(.notConnected))
            } else if !session.isLoggedIn {
                kept.append(entry)
            } else {
                do {
                    let (actionID, sent) = try session.originate(
                        device: request.device, context: request.context, exten: request.exten, callerID: request.callerID,
                        timeout: request.timeout, channelID: AMIOriginate.makeChannelID(using: &random), at: now)
                    answers[actionID] = entry.answer
                    actions += sent
                } catch {
                    var refused = request.unsent(.refused)
                    refused.pbxMessage = "callpop did not send it: \(error.message)"
                    entry.answer.fulfil(refused)
                }
            }
        }
        waiting = kept
        settle(&session)
        return actions
    }

    /// Answers the Originates the session has settled.
    mutating func settle(_ session: inout AMISession) {
        for outcome in session.takeOriginateOutcomes() {
            answers.removeValue(forKey: outcome.actionID)?.fulfil(outcome)
        }
    }

    /// The loop ends: every request still open is answered.
    mutating func close(_ session: inout AMISession) {
        settle(&session)
        for entry in waiting + channel.take() { entry.answer.fulfil(entry.request.unsent(.notConnected)) }
        waiting = []
        for (actionID, answer) in answers {
            answer.fulfil(AMIOriginateOutcome(actionID: actionID, result: .connectionLost, exten: "", device: ""))
        }
        answers = [:]
    }
}
