/// Everything that goes wrong in `CallPopSIP`: bytes from the network that are not SIP or
/// not dialog-info, and settings a SIP source cannot run with. The message is safe to log:
/// it names the fault and never echoes more than a short, sanitised excerpt.
public struct SIPError: Error, Sendable, Hashable, CustomStringConvertible {
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
        /// A NOTIFY body is not a dialog-info document we accept.
        case malformedDialogInfo
        /// A setting cannot work; `key` names it (`pbx.transport`).
        case invalidSetting
    }

    /// What went wrong.
    public var code: Code
    /// Details for a log line.
    public var detail: String
    /// For `.invalidSetting`: the configuration key, e.g. `pbx.transport`.
    public var key: String?

    /// Creates an error.
    public init(_ code: Code, _ detail: String, key: String? = nil) {
        self.code = code
        self.detail = detail
        self.key = key
    }

    /// A one-line explanation.
    public var description: String {
        switch code {
        case .malformedDialogInfo: "malformed dialog-info document: \(detail)"
        case .invalidSetting: detail
        default: "malformed SIP message: \(detail)"
        }
    }
}
