internal import Glibc

/// What a descriptor is watched for, or what it is ready for.
public struct Readiness: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Data to read (or, when returned, a hang-up or error the next read reports).
    public static let readable = Readiness(rawValue: 1)
    /// Room to write.
    public static let writable = Readiness(rawValue: 2)
}

/// The one `poll` of callpop. Every I/O thread — the AMI and SIP sources, the event-file
/// reader, D-Bus — sleeps here on its descriptors, its `WakePipe` and the monotonic
/// deadline of the next thing it must do, so none of them spins or wakes without cause.
public enum Poller {
    /// What one wait saw.
    public struct Result: Sendable {
        /// Per watched descriptor, in the order given: what it is ready for.
        public var ready: [Readiness]
        /// The wake pipe was readable (it has been drained).
        public var woken: Bool
    }

    /// Waits until one of `descriptors` is ready for what it is watched for, `wake` is woken,
    /// or `deadline` passes (`nil`: no deadline). A descriptor of -1 is skipped, so callers can
    /// keep positions fixed. Interrupted waits resume with the time that is left.
    public static func wait(
        _ descriptors: [(fd: Int32, events: Readiness)], wake: WakePipe?, until deadline: ContinuousClock.Instant?
    ) -> Result {
        var entries = [pollfd(fd: wake?.readEnd ?? -1, events: Int16(POLLIN), revents: 0)]
        entries.reserveCapacity(descriptors.count + 1)
        for (fd, events) in descriptors {
            var mask: Int16 = 0
            if events.contains(.readable) { mask |= Int16(POLLIN) }
            if events.contains(.writable) { mask |= Int16(POLLOUT) }
            entries.append(pollfd(fd: fd, events: mask, revents: 0))
        }
        var count: Int32
        repeat {
            count = poll(&entries, nfds_t(entries.count), milliseconds(until: deadline))
        } while count < 0 && errno == EINTR
        var result = Result(ready: Array(repeating: [], count: descriptors.count), woken: false)
        guard count > 0 else { return result }
        if entries[0].revents != 0, let wake {
            wake.drain()
            result.woken = true
        }
        for index in descriptors.indices {
            let events = entries[index + 1].revents
            // Hang-up and errors count as readable: the next read reports them.
            if events & Int16(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0 { result.ready[index].insert(.readable) }
            if events & Int16(POLLOUT) != 0 { result.ready[index].insert(.writable) }
        }
        return result
    }

    /// The poll timeout for `deadline`, rounded up so a deadline is never woken a
    /// millisecond early and spun on.
    static func milliseconds(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return -1 }
        let (seconds, attoseconds) = max(deadline - .now, .zero).components
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
