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

    /// Runs blocking `body` (reading files) on a thread of its own and awaits its value for
    /// at most `bound`: the cooperative pool is never held, however long `body` waits. Nil
    /// when it did not finish in time (it runs on, and its value is dropped) or no thread
    /// could be made.
    public static func value<Value: Sendable>(within bound: Duration, _ body: @escaping @Sendable () -> Value) async -> Value? {
        let result = OneShot<Value>()
        guard start({ result.fulfil(body()) }) else { return nil }
        return await result.value(within: bound)
    }
}
