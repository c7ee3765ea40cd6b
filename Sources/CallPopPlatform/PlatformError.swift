internal import Glibc

/// A system call that failed, with errno's text: the one error type of `CallPopPlatform`.
public struct PlatformError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Hashable {
        /// A system call failed; `errno` says why.
        case systemCall
        /// Name resolution failed (`getaddrinfo`); `message` holds the resolver's words.
        case resolution
        /// The system refused a resource (a thread, a pipe) for lack of memory or process limits.
        case resources
        /// A wait ended by its deadline.
        case timedOut
        /// A wait ended because the work was stopped.
        case cancelled
        /// A file to read is a FIFO, a device, a directory or a socket: never opened for reading.
        case notRegularFile
    }

    /// The kind of failure.
    public var code: Code
    /// What was attempted, e.g. `connect to 127.0.0.1:5060`.
    public var operation: String
    /// The errno value, when a system call failed.
    public var errno: Int32?
    /// The resolver's or the system's words.
    public var reason: String

    /// A failed system call: takes the reason from the current `errno`.
    public init(_ operation: String) {
        self.init(operation, errno: Glibc.errno)
    }

    /// A failed system call with the given errno value.
    public init(_ operation: String, errno code: Int32) {
        self.code = code == ETIMEDOUT ? .timedOut : code == ECANCELED ? .cancelled : .systemCall
        self.operation = operation
        self.errno = code
        self.reason = String(cString: strerror(code))
    }

    /// A failure that is not a plain errno.
    public init(_ code: Code, _ operation: String, reason: String) {
        self.code = code
        self.operation = operation
        self.errno = nil
        self.reason = reason
    }

    /// `operation: reason`.
    public var description: String { "\(operation): \(reason)" }
}
