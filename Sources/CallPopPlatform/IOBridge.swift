import Synchronization

/// The one crossing from an I/O thread to async code: a bounded first-in first-out buffer.
///
/// Bounded on purpose. When the agent falls behind, `offer` answers `.full` and the I/O
/// thread stops reading its socket, so a flooding PBX is held back by TCP instead of
/// growing the agent's memory; when the consumer has taken half of the buffer, `onRoom`
/// wakes the thread to read again. A thread that cannot pause (D-Bus, whose replies share
/// the socket with its signals) drops what does not fit and counts it instead.
///
/// Every waiting consumer is resumed exactly once: by an element, by `finish`, by `close`
/// or by the cancellation of its task.
public final class IOBridge<Element: Sendable>: Sendable {
    /// The answer to `offer`.
    public enum Offer: Sendable, Equatable {
        /// Taken.
        case accepted
        /// Not taken: the buffer is full. `onRoom` runs once there is room again.
        case full
        /// Not taken: the consumer is gone; stop producing.
        case closed
    }

    private struct State {
        var ring = RingBuffer<Element>()
        var waiter: CheckedContinuation<Element?, Never>?
        /// The producer is done: the consumer gets `nil` once the buffer is empty.
        var finished = false
        /// The consumer is done: offers are refused, the buffer is dropped.
        var closed = false
        /// A consumer's task was cancelled while it waited or before it could.
        var cancelled = false
        /// The producer was refused and waits for `onRoom`.
        var producerBlocked = false
    }

    /// The most elements held at once.
    public let capacity: Int
    private let onRoom: @Sendable () -> Void
    private let state = Mutex(State())

    /// Creates a bridge for `capacity` elements; `onRoom` wakes a producer that was refused.
    public init(capacity: Int, onRoom: @escaping @Sendable () -> Void = {}) {
        self.capacity = max(1, capacity)
        self.onRoom = onRoom
    }

    // MARK: Producer side (any thread, never blocks)

    /// Hands `element` to the consumer, or says why not.
    public func offer(_ element: Element) -> Offer {
        let (answer, waiter) = state.withLock { state -> (Offer, CheckedContinuation<Element?, Never>?) in
            if state.closed || state.finished { return (.closed, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (.accepted, waiter)
            }
            guard state.ring.count < capacity else {
                state.producerBlocked = true
                return (.full, nil)
            }
            state.ring.append(element)
            return (.accepted, nil)
        }
        waiter?.resume(returning: element)
        return answer
    }

    /// Offers `pending` in order and removes what was taken; returns false when the
    /// bridge is full (keep the rest and stop reading) or closed (check `isClosed`).
    public func offer(contentsOf pending: inout [Element]) -> Bool {
        var taken = 0
        defer { pending.removeFirst(taken) }
        while taken < pending.count {
            guard offer(pending[taken]) == .accepted else { return false }
            taken += 1
        }
        return true
    }

    /// No more elements: the consumer receives what is buffered, then `nil`.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Whether the consumer has gone.
    public var isClosed: Bool { state.withLock { $0.closed } }

    // MARK: Consumer side

    /// The next element; `nil` when the producer finished and everything was taken, when
    /// the bridge was closed, or when the calling task is cancelled.
    public func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let (element, end, room) = state.withLock { state -> (Element?, Bool, Bool) in
                    if state.closed || state.cancelled { return (nil, true, false) }
                    if let element = state.ring.popFirst() {
                        let room = state.producerBlocked && state.ring.count <= capacity / 2
                        if room { state.producerBlocked = false }
                        return (element, false, room)
                    }
                    if state.finished { return (nil, true, false) }
                    state.waiter = continuation
                    return (nil, false, false)
                }
                if room { onRoom() }
                if let element { continuation.resume(returning: element) } else if end { continuation.resume(returning: nil) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
                state.cancelled = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// The consumer is done: drops what is buffered, refuses later offers, ends a wait.
    public func close() {
        let (waiter, room) = state.withLock { state -> (CheckedContinuation<Element?, Never>?, Bool) in
            state.closed = true
            state.ring = RingBuffer()
            defer { state.waiter = nil }
            return (state.waiter, state.producerBlocked)
        }
        waiter?.resume(returning: nil)
        // A producer paused for room must look again, and find the bridge closed.
        if room { onRoom() }
    }

    /// How many elements wait (for tests and `status`).
    public var count: Int { state.withLock { $0.ring.count } }
}

/// A growable ring: `append` and `popFirst` in O(1) without shifting.
struct RingBuffer<Element> {
    private var storage: [Element?] = []
    private var head = 0
    private(set) var count = 0

    mutating func append(_ element: Element) {
        if count == storage.count { grow() }
        storage[(head + count) % storage.count] = element
        count += 1
    }

    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        defer {
            storage[head] = nil
            head = (head + 1) % storage.count
            count -= 1
        }
        return storage[head]
    }

    private mutating func grow() {
        var bigger = [Element?](repeating: nil, count: max(8, storage.count * 2))
        for index in 0..<count { bigger[index] = storage[(head + index) % storage.count] }
        storage = bigger
        head = 0
    }
}
