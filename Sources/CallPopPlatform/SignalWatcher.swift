internal import CPlatform
internal import Glibc

/// SIGHUP, SIGINT, SIGTERM and friends as values awaited in async code.
///
/// The signals' handler (C, async-signal-safe) writes each number into a pipe, and a
/// small thread blocked in `read` hands them over. Nothing polls and nothing wakes while
/// no signal comes — unlike `DispatchSource` signal sources, which keep libdispatch's
/// worker-pool monitor ticking once a second for as long as they exist.
public final class SignalWatcher: Sendable {
    private let watched: [Int32]
    private let readEnd: Int32
    private let writeEnd: Int32
    private let bridge = IOBridge<Int32>(capacity: 64)

    /// Starts catching `signals` (their default actions no longer apply until `stop`).
    public init(_ signals: [Int32]) throws(PlatformError) {
        var ends: [Int32] = [-1, -1]
        let failure = callpop_pipe(&ends, 0)
        guard failure == 0 else { throw PlatformError("create the signal pipe", errno: failure) }
        readEnd = ends[0]
        writeEnd = ends[1]
        // The handler must never block: a full pipe drops the byte (the reader is due anyway).
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        watched = signals
        let bridge = self.bridge
        let readEnd = self.readEnd
        let started = DetachedThread.start {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                // A zero byte is `stop`'s way of ending this thread.
                guard count == 1, byte != 0 else { break }
                _ = bridge.offer(Int32(byte))
            }
            close(readEnd)
            bridge.finish()
        }
        guard started else {
            close(readEnd)
            close(writeEnd)
            throw PlatformError(.resources, "start the signal thread", reason: "the system refused a new thread")
        }
        for signal in signals { _ = callpop_signal_to_pipe(signal, writeEnd) }
    }

    /// The next signal caught; `nil` after `stop` or when the calling task is cancelled.
    public func next() async -> Int32? {
        await bridge.next()
    }

    /// Gives the signals their default actions back (a second SIGTERM or Ctrl-C then ends
    /// the process at once) and ends the watching thread.
    public func stop() {
        for signal in watched { _ = callpop_signal_default(signal) }
        var zero: UInt8 = 0
        _ = write(writeEnd, &zero, 1)
    }

    deinit {
        // The thread may still be reading; closing the write end ends its read with 0.
        close(writeEnd)
    }
}
