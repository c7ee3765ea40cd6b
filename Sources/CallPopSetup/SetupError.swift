internal import Glibc

/// Why a set-up command (`init`, `autostart`, `handler`) could not do what was asked: the
/// one error type of `CallPopSetup`.
public struct SetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// A file operation failed; `path` and `errno` say which and why.
        case file
        /// A file callpop needs is not installed (the unit, the autostart entry).
        case notInstalled
        /// The service manager refused a step.
        case serviceManager
        /// A helper program (`xdg-mime`) is not installed.
        case toolMissing
        /// A helper program ran and failed.
        case toolFailed
        /// The path of the callpop executable cannot go into a desktop entry's `Exec=`.
        case invalidExecutable
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong and what to do about it, ready to print.
    public var message: String
    /// The file concerned, when there is one.
    public var path: String?
    /// The system's error number, for `.file`.
    public var errno: Int32?

    /// A failed file operation: `cannot create /path: Permission denied`.
    init(_ action: String, _ path: String, errno code: Int32 = Glibc.errno) {
        self.code = .file
        self.path = path
        self.errno = code
        message = "cannot \(action) \(path): \(String(cString: strerror(code)))"
    }

    /// Any other failure.
    public init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    /// The message.
    public var description: String { message }
}
