internal import CPlatform

/// Runs blocking work (a read from a FIFO or stdin, a poll loop) on its own thread, so
/// Swift's small cooperative pool is never held by a blocking system call.
public enum DetachedThread {
    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts `body` on a new detached thread; returns false when no thread could be made.
    @discardableResult
    public static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = callpop_thread_start({ raw in
            guard let raw else { return }
            Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
        }, context)
        if rc != 0 { Unmanaged<Box>.fromOpaque(context).release() }
        return rc == 0
    }

    /// Runs blocking `body` (reading a file, a directory, a short helper program) on a thread
    /// of its own and awaits its value, so the cooperative pool is never held however long
    /// `body` waits. With a `bound`, nil when it did not finish in time (it runs on, and its
    /// value is dropped); nil when the system refused a thread.
    public static func value<Value: Sendable>(
        within bound: Duration? = nil, _ body: @escaping @Sendable () -> Value
    ) async -> Value? {
        guard let bound else {
            return await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
                if !start({ continuation.resume(returning: body()) }) { continuation.resume(returning: nil) }
            }
        }
        let result = OneShot<Value>()
        guard start({ result.fulfil(body()) }) else { return nil }
        return await result.value(within: bound)
    }
}
