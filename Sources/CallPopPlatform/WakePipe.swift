internal import Glibc

/// A self-pipe that wakes an I/O thread out of `poll` (cancellation, new work). Both ends
/// are non-blocking and close-on-exec, and are closed when the last owner lets go.
/// Shared by the AMI and SIP sources, whose threads sleep in `poll` on a socket and this pipe.
public final class WakePipe: Sendable {
    /// The end to watch for `POLLIN`.
    public let readEnd: Int32
    private let writeEnd: Int32

    /// Why no pipe could be made.
    public struct CreationError: Error, Sendable, CustomStringConvertible {
        /// The system's reason.
        public var description: String
    }

    /// Creates the pipe.
    public init() throws(CreationError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw CreationError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the thread; idempotent (a pipe with a byte in it already means "wake up").
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Whether `wake` was called: the pipe stays readable, so every later wait returns at once.
    public func isAwake() -> Bool {
        var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }
}
