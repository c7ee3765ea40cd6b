import Synchronization

/// What the loop of an I/O thread holds: its wake-up pipe, its end of the bridge and
/// the stop request. Handed to the loop body when its thread starts.
public struct IOLink<Output: Sendable>: Sendable {
    /// Poll this: it is woken for a stop request and when the bridge has room again.
    public let wake: WakePipe
    /// The thread's end of the bridge to async code.
    public let bridge: IOBridge<Output>
    private let stop: IOStopFlag

    init(wake: WakePipe, bridge: IOBridge<Output>, stop: IOStopFlag) {
        self.wake = wake
        self.bridge = bridge
        self.stop = stop
    }

    /// The async side asked the loop to say goodbye (Logoff, un-SUBSCRIBE) and end.
    public var stopRequested: Bool { stop.isSet }

    /// Asks the loop to say goodbye and end, and wakes it to see the request.
    func requestStop() {
        stop.set()
        wake.wake()
    }

    /// Hands over what `pending` holds, in order; true when all of it was taken. When
    /// false, keep the rest, stop reading input and poll `wake` until there is room.
    public func deliver(_ pending: inout [Output]) -> Bool {
        bridge.offer(contentsOf: &pending)
    }
}

/// Runs the loop of one outside world (a PBX connection, an event file, the bus) on a
/// dedicated thread, and its output in the calling task: the one thread → async bridge
/// of callpop.
///
/// - The bridge is bounded (`capacity`): a loop that gets `false` from `deliver` stops
///   reading, so input backs up at its source instead of in the agent's memory. The
///   consumer takes what waits in one go, so at most twice `capacity` outputs are in
///   flight: one full bridge, and the batch being consumed.
/// - Cancelling the calling task asks the loop to stop and waits until its thread has
///   finished — the goodbye sent — but never longer than `goodbyeBound`, so SIGTERM ends
///   the agent promptly even when the peer never answers.
public enum IOThread {
    /// How the thread ended, as seen by the caller.
    public enum Ending<Failure: Error & Sendable>: Sendable {
        /// The loop returned: its input ended, or it stopped on request.
        case finished
        /// The loop failed with an error retrying cannot mend.
        case failed(Failure)
        /// The loop was asked to stop and did not end within the bound.
        case abandoned
    }

    /// Starts `loop` on a new thread and passes each output to `consume` until the loop ends
    /// or the calling task is cancelled.
    ///
    /// Inlinable, so that the consuming loop is specialised for the caller's output type (no
    /// run-time generic metadata per output); starting and ending are not.
    ///
    /// - Throws: `PlatformError` (code `.resources`) when no thread or pipe could be made.
    @inlinable
    public static func run<Output: Sendable, Failure: Error & Sendable>(
        capacity: Int, goodbyeBound: Duration = .milliseconds(800),
        loop: @escaping @Sendable (IOLink<Output>) -> Failure?,
        consume: (Output) async -> Void
    ) async throws(PlatformError) -> Ending<Failure> {
        let running = try start(capacity: capacity, loop: loop)
        let bridge = running.link.bridge
        // Whatever waits is taken in one go: one lock and no suspension per output while the
        // loop is busy. A cancellation stops at the next output, as between single takes.
        var batch: [Output] = []
        consuming: while await bridge.next(into: &batch) {
            for index in batch.indices {
                if Task.isCancelled { break consuming }
                await consume(batch[index])
            }
        }
        batch.removeAll()
        return await end(running, goodbyeBound: goodbyeBound)
    }

    /// A loop's thread, running (for `run`'s inlined body only).
    @usableFromInline
    struct Running<Output: Sendable, Failure: Error & Sendable>: Sendable {
        /// What the loop holds; its bridge is the consumer's end too.
        @usableFromInline let link: IOLink<Output>
        let ended: OneShot<Failure?>
    }

    /// Starts `loop` on a new thread, with a bridge of `capacity` outputs.
    @usableFromInline
    static func start<Output: Sendable, Failure: Error & Sendable>(
        capacity: Int, loop: @escaping @Sendable (IOLink<Output>) -> Failure?
    ) throws(PlatformError) -> Running<Output, Failure> {
        let wake = try WakePipe()
        let bridge = IOBridge<Output>(capacity: capacity) { wake.wake() }
        let ended = OneShot<Failure?>()
        let link = IOLink(wake: wake, bridge: bridge, stop: IOStopFlag())
        let started = DetachedThread.start {
            let failure = loop(link)
            bridge.finish()
            ended.fulfil(failure)
        }
        guard started else {
            throw PlatformError(.resources, "start an I/O thread", reason: "the system refused a new thread (memory or process limits)")
        }
        return Running(link: link, ended: ended)
    }

    /// After the consuming loop: on cancellation asks the loop to stop and waits at most
    /// `goodbyeBound` for its thread; else the loop finished the bridge and ends by itself.
    @usableFromInline
    static func end<Output: Sendable, Failure: Error & Sendable>(
        _ running: Running<Output, Failure>, goodbyeBound: Duration
    ) async -> Ending<Failure> {
        if Task.isCancelled {
            running.link.bridge.close()
            running.link.requestStop()
            guard let failure = await running.ended.value(within: goodbyeBound) else { return .abandoned }
            return failure.map { .failed($0) } ?? .finished
        }
        // The loop finished the bridge: it has ended or is about to.
        let failure = await running.ended.value(within: .seconds(3600)) ?? nil
        return failure.map { .failed($0) } ?? .finished
    }
}

/// The stop request from the async side to the loop.
final class IOStopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}

/// A value set once by one thread and awaited, with a bound, by one task. The waiter is
/// resumed exactly once: by the value or by the bound.
public final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value?, Never>)
        case fulfilled(Value)
        case gaveUp
    }

    private let state = Mutex(State.empty)

    /// Creates an empty one-shot.
    public init() {}

    /// Sets the value and resumes the waiter; later calls are ignored.
    public func fulfil(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>? in
            switch state {
            case .empty:
                state = .fulfilled(value)
                return nil
            case .waiting(let continuation):
                state = .fulfilled(value)
                return continuation
            case .fulfilled, .gaveUp:
                return nil
            }
        }
        waiter?.resume(returning: value)
    }

    /// The value, or `nil` when it did not come within `bound`.
    public func value(within bound: Duration) async -> Value? {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: bound)
            self?.giveUp()
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let now: Value?? = state.withLock { state in
                switch state {
                case .fulfilled(let value): return .some(value)
                case .gaveUp: return .some(nil)
                case .empty:
                    state = .waiting(continuation)
                    return nil
                case .waiting:
                    preconditionFailure("OneShot has one waiter")
                }
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    private func giveUp() {
        let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>? in
            guard case .waiting(let continuation) = state else {
                if case .empty = state { state = .gaveUp }
                return nil
            }
            state = .gaveUp
            return continuation
        }
        waiter?.resume(returning: nil)
    }
}
