/// Everything that goes wrong in `CallPopAMI`'s own checks, before anything reaches the
/// PBX: a URL that is not `ami://`, a value that would break an action. The one error type
/// of the target; the message never echoes the hostile value.
public struct AMIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// The settings cannot work (a bad URL).
        case invalidConfiguration
        /// A required value is empty.
        case empty
        /// A control character (CR, LF, NUL, ...): it could inject header lines.
        case controlCharacter
        /// A character or length that the field does not allow.
        case invalidValue
    }

    /// The kind of problem.
    public var code: Code
    /// The AMI header a value was for (`Exten`, `Channel`, ...), when the problem is a value.
    public var field: String?
    /// What is wrong, without echoing the value.
    public var message: String

    /// Creates an error about a setting.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.field = nil
        self.message = message
    }

    /// Creates an error about the value of one field of an action.
    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
