public import Synchronization

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
///
/// Inlinable, so that each client specialises it for its element type: unspecialised, every
/// element taken looked up the metadata of `Optional<Element>` and `Array<Element?>` at run
/// time, which cost more than the rest of the hand-off.
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

    @usableFromInline
    struct State {
        @usableFromInline var ring = RingBuffer<Element>()
        /// The consumer, suspended until the ring holds something or the bridge ends.
        @usableFromInline var waiter: CheckedContinuation<Void, Never>?
        /// The producer is done: the consumer gets `nil` once the buffer is empty.
        @usableFromInline var finished = false
        /// The consumer is done: offers are refused, the buffer is dropped.
        @usableFromInline var closed = false
        /// A consumer's task was cancelled while it waited or before it could.
        @usableFromInline var cancelled = false
        /// The producer was refused and waits for `onRoom`.
        @usableFromInline var producerBlocked = false

        /// Whether the consumer gets nothing more.
        @inlinable var ended: Bool { closed || cancelled || (finished && ring.count == 0) }

        /// After the consumer took elements: whether a refused producer may go on now.
        @inlinable mutating func roomAfterTaking(capacity: Int) -> Bool {
            guard producerBlocked, ring.count <= capacity / 2 else { return false }
            producerBlocked = false
            return true
        }
    }

    /// The most elements held at once.
    public let capacity: Int
    @usableFromInline let onRoom: @Sendable () -> Void
    @usableFromInline let state: Mutex<State> = Mutex(State())

    /// Creates a bridge for `capacity` elements; `onRoom` wakes a producer that was refused.
    public init(capacity: Int, onRoom: @escaping @Sendable () -> Void = {}) {
        self.capacity = max(1, capacity)
        self.onRoom = onRoom
    }

    // MARK: Producer side (any thread, never blocks)

    /// Hands `element` to the consumer, or says why not.
    @inlinable
    public func offer(_ element: Element) -> Offer {
        let (answer, waiter) = state.withLock { state -> (Offer, CheckedContinuation<Void, Never>?) in
            if state.closed || state.finished { return (.closed, nil) }
            guard state.ring.count < capacity else {
                state.producerBlocked = true
                return (.full, nil)
            }
            state.ring.append(element)
            defer { state.waiter = nil }
            return (.accepted, state.waiter)
        }
        waiter?.resume()
        return answer
    }

    /// Offers `pending` in order and removes what was taken; returns false when the
    /// bridge is full (keep the rest and stop reading) or closed (check `isClosed`).
    /// One lock and at most one wake-up of the consumer for the whole batch.
    @inlinable
    public func offer(contentsOf pending: inout [Element]) -> Bool {
        guard !pending.isEmpty else { return true }
        let (taken, waiter) = state.withLock { state -> (Int, CheckedContinuation<Void, Never>?) in
            if state.closed || state.finished { return (0, nil) }
            let taken = min(pending.count, capacity - state.ring.count)
            for element in pending[..<taken] { state.ring.append(element) }
            if taken < pending.count { state.producerBlocked = true }
            guard taken > 0 else { return (0, nil) }
            defer { state.waiter = nil }
            return (taken, state.waiter)
        }
        waiter?.resume()
        pending.removeFirst(taken)
        return pending.isEmpty
    }

    /// No more elements: the consumer receives what is buffered, then `nil`.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Whether the consumer has gone.
    public var isClosed: Bool { state.withLock { $0.closed } }

    // MARK: Consumer side

    /// The next element; `nil` when the producer finished and everything was taken, when
    /// the bridge was closed, or when the calling task is cancelled.
    @inlinable
    public func next() async -> Element? {
        while true {
            let (element, end, room) = state.withLock { state -> (Element?, Bool, Bool) in
                if Task.isCancelled { state.cancelled = true }
                if state.closed || state.cancelled { return (nil, true, false) }
                guard let element = state.ring.popFirst() else { return (nil, state.finished, false) }
                return (element, false, state.roomAfterTaking(capacity: capacity))
            }
            if room { onRoom() }
            if element != nil || end { return element }
            await waitForElements()
        }
    }

    /// Moves every element that waits into `batch` (emptied first), waiting until there is
    /// one; false, with `batch` empty, when `next()` would return `nil`. One lock for the
    /// lot, and no suspension while elements wait: the way to drain a busy bridge.
    @inlinable
    public func next(into batch: inout [Element]) async -> Bool {
        batch.removeAll(keepingCapacity: true)
        while true {
            let (end, room) = state.withLock { state -> (Bool, Bool) in
                if Task.isCancelled { state.cancelled = true }
                if state.closed || state.cancelled { return (true, false) }
                guard state.ring.count > 0 else { return (state.finished, false) }
                state.ring.moveAll(into: &batch)
                return (false, state.roomAfterTaking(capacity: capacity))
            }
            if room { onRoom() }
            if !batch.isEmpty { return true }
            if end { return false }
            await waitForElements()
        }
    }

    /// Suspends until the ring holds an element or the bridge ended for the consumer.
    @usableFromInline
    func waitForElements() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.ended || state.ring.count > 0 { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.cancelled = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    /// The consumer is done: drops what is buffered, refuses later offers, ends a wait.
    public func close() {
        let (waiter, room) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            state.closed = true
            state.ring = RingBuffer()
            defer { state.waiter = nil }
            return (state.waiter, state.producerBlocked)
        }
        waiter?.resume()
        // A producer paused for room must look again, and find the bridge closed.
        if room { onRoom() }
    }

    /// How many elements wait (for tests and `status`).
    public var count: Int { state.withLock { $0.ring.count } }
}

/// A growable ring: `append` and `popFirst` in O(1) without shifting.
@usableFromInline
struct RingBuffer<Element> {
    @usableFromInline var storage: [Element?] = []
    @usableFromInline var head = 0
    @usableFromInline var count = 0

    @inlinable init() {}

    @inlinable
    mutating func append(_ element: Element) {
        if count == storage.count { grow() }
        storage[(head + count) % storage.count] = element
        count += 1
    }

    /// Appends every element to `batch`, in order, and empties the ring.
    @inlinable
    mutating func moveAll(into batch: inout [Element]) {
        batch.reserveCapacity(batch.count + count)
        while let element = popFirst() { batch.append(element) }
    }

    /// The first element, moved out of the ring (not copied and then destroyed).
    @inlinable
    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head].take()
        head = (head + 1) % storage.count
        count -= 1
        return element
    }

    @usableFromInline
    mutating func grow() {
        var bigger = [Element?](repeating: nil, count: max(8, storage.count * 2))
        for index in 0..<count { bigger[index] = storage[(head + index) % storage.count] }
        storage = bigger
        head = 0
    }
}
