/// The shape of a target's error when all it carries is what went wrong: a `Code` a
/// caller can switch on and a message for the user. A target names its own with a
/// typealias (`SourceError`, `AMIError`, `LaunchError`) over its own code enum, so errors
/// stay distinct types without copies of one struct; targets whose errors carry more
/// (a configuration key, an errno, a D-Bus error name) have their own struct.
public struct CodedError<Code: Sendable & Hashable>: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public var code: Code
    /// What happened and what to do, without secrets.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
