/// A set-up command that could not do its work, with what to do about it.
public struct SetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// A helper program (`xdg-mime`) is not installed.
        case toolMissing
        /// A helper program ran and failed.
        case toolFailed
        /// A file could not be read or written.
        case fileError
        /// The path of the callpop executable cannot go into a desktop entry's `Exec=`.
        case invalidExecutable
    }

    /// The kind of problem.
    public var code: Code
    /// What happened and what to do, ready to print.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
