public import CallPopCore

/// Why a source stopped for good: the one error type of `CallPopSources`. Faults that
/// retrying can mend (a lost connection, a garbage line) are reported and ridden through;
/// these are the ones it cannot.
public typealias SourceError = CodedError<SourceErrorCode>

/// The kinds of `SourceError`.
public enum SourceErrorCode: Sendable, Hashable {
    /// The settings cannot work (a bad URL, no devices to follow).
    case invalidConfiguration
    /// The PBX refused the credentials: the same ones would be refused again.
    case loginRejected
    /// The event input cannot be opened or read.
    case unreadableInput
    /// The system refused a thread, a pipe or a socket.
    case systemResources
}
