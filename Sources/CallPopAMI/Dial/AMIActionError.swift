/// Why an action cannot be built: one of its values could break out of its field
/// (a line break would start a new header) or is not what the PBX accepts there.
public struct AMIActionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// A required value is empty.
        case empty
        /// A control character (CR, LF, NUL, ...): it could inject header lines.
        case controlCharacter
        /// A character or length that the field does not allow.
        case invalidValue
    }

    /// The kind of problem.
    public var code: Code
    /// The AMI header the value was for (`Exten`, `Channel`, ...).
    public var field: String
    /// What is wrong, without echoing the value.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
