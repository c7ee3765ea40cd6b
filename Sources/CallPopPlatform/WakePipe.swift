internal import CPlatform
internal import Glibc

/// A self-pipe that wakes an I/O thread out of `poll`: a stop request, room in its
/// bridge, new work. Both ends are non-blocking and close-on-exec, and are closed when
/// the last owner lets go. A wake-up is level-triggered until the thread drains it, so a
/// wake-up that comes before the thread polls is never lost.
public final class WakePipe: Sendable {
    /// The end to watch for `POLLIN`.
    public let readEnd: Int32
    private let writeEnd: Int32

    /// Creates the pipe.
    public init() throws(PlatformError) {
        var ends: [Int32] = [-1, -1]
        let failure = callpop_pipe(&ends, 1)
        guard failure == 0 else { throw PlatformError("create a wake-up pipe", errno: failure) }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the thread. Idempotent: a full pipe already means "wake up".
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe after a wake-up was seen, so the next `poll` sleeps again.
    public func drain() {
        var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &buffer, { read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
    }
}
