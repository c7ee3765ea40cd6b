#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CallPopPlatform

/// The only libc contact of the AMI client: `poll` on its socket and its `WakePipe`.

/// What `waitFor` saw.
struct PollResult {
    var socketReadable = false
    var socketWritable = false
    var woken = false
}

/// Blocks until `socket` is readable (or writable, when asked), the pipe is woken, or `timeout` passes.
/// `socket` -1 waits on the pipe alone (backoff sleeps); a `nil` pipe is not watched (once a
/// wake-up was seen, since the pipe then stays readable). `nil` timeout waits forever.
func waitFor(socket: Int32, writable: Bool, wake: WakePipe?, timeout: Duration?) -> PollResult {
    // fd -1 makes poll ignore the entry, keeping the indices fixed.
    var entries = [pollfd(fd: wake?.readEnd ?? -1, events: Int16(POLLIN), revents: 0)]
    if socket >= 0 {
        entries.append(pollfd(fd: socket, events: Int16(POLLIN) | (writable ? Int16(POLLOUT) : 0), revents: 0))
    }
    let milliseconds: Int32
    if let timeout {
        // Round up, so a deadline is never woken a millisecond early and spun on.
        let (seconds, attoseconds) = max(timeout, .zero).components
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        milliseconds = Int32(clamping: total)
    } else {
        milliseconds = -1
    }
    var count: Int32
    repeat {
        count = poll(&entries, nfds_t(entries.count), milliseconds)
    } while count < 0 && errno == EINTR
    var result = PollResult()
    guard count > 0 else { return result }
    result.woken = entries[0].revents != 0
    if entries.count > 1 {
        let events = entries[1].revents
        // Hang-up and errors count as readable: the next read reports them.
        result.socketReadable = events & Int16(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0
        result.socketWritable = events & Int16(POLLOUT) != 0
    }
    return result
}
