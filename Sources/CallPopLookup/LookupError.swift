/// Why a directory's data or a lookup setting was refused: the one error type of `CallPopLookup`.
public struct LookupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Code: Sendable, Hashable {
        /// The input is over the size limit for its kind (`limit` bytes).
        case tooLarge(limit: Int)
        /// A CardDAV/WebDAV response is not well-formed XML or not a multistatus.
        case malformedXML
        /// A CRM response is not JSON.
        case malformedJSON
        /// A JSON field path in the configuration cannot be read.
        case invalidFieldPath
        /// An LDAP filter template in the configuration cannot be used.
        case invalidFilterTemplate
    }

    /// The kind of problem.
    public var code: Code
    /// What is wrong, safe to log: never contains secrets, and quoted input is cut short and cleaned.
    public var message: String
    /// For configuration values: the 1-based column in the value where the problem is.
    public var column: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, column: Int? = nil) {
        self.code = code
        self.message = message
        self.column = column
    }

    /// A one-line explanation.
    public var description: String { column.map { "column \($0): \(message)" } ?? message }
}
