/// Why bytes from the network are not a SIP message. The message is safe to log:
/// it names the fault, never echoes more than a short, sanitised excerpt.
public struct SIPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// The start line is neither a request nor a status line.
        case badStartLine
        /// A header line has no `name:`.
        case badHeader
        /// The header section is larger than the limit.
        case headerTooLarge
        /// `Content-Length` is not a number or exceeds the body limit.
        case badContentLength
        /// A datagram ended before `Content-Length` bytes of body.
        case truncated
    }

    /// What went wrong.
    public var code: Code
    /// Details for a log line.
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// A one-line explanation.
    public var description: String { "malformed SIP message: \(detail)" }
}
