import Foundation

/// Runs blocking work (opening a FIFO, waiting for a child process, reading a pipe to its
/// end) on a thread of its own and awaits it. Swift Testing runs tests on the small
/// cooperative pool (two threads on a two-core machine); a test that blocks one there
/// stalls every other test of the run, which then fail their timeouts for no reason of
/// their own.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}
