/// Blocking work awaited from async code without holding a thread of the cooperative pool.
extension DetachedThread {
    /// Runs `body` on a thread of its own and returns its result once it ends; nil when no
    /// thread could be started. The caller is suspended, not blocked, meanwhile.
    public static func run<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
            let started = start { continuation.resume(returning: body()) }
            if !started { continuation.resume(returning: nil) }
        }
    }
}
