/// Something that reports call events: a PBX connection, an NDJSON stream.
///
/// A source runs until its input ends or its task is cancelled. It reports
/// each call change through `emit`, and problems it rides through (a lost
/// connection, a garbage line) through `report`, so that nothing is lost
/// silently. It throws only for faults it cannot recover from (bad
/// credentials, a file that cannot be opened).
public protocol CallEventSource: Sendable {
    /// A short name for logs and `status`, such as `ami` or `events:stdin`.
    var name: String { get }

    /// Runs the source, calling `emit` for every call change in order.
    func run(emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void) async throws
}

/// A notice from a source about its connection or its input.
public struct SourceReport: Sendable, Hashable {
    /// How serious the notice is.
    public enum Level: String, Sendable, Hashable {
        /// Normal life: connected, logged in, resynchronised.
        case info
        /// Something was skipped or will be retried.
        case warning
        /// Something failed; the source may go on trying.
        case error
    }

    /// The connection state a source reports, for `status`.
    public enum ConnectionState: String, Sendable, Hashable {
        case connecting, connected, disconnected, failed
    }

    /// How serious the notice is.
    public var level: Level
    /// What happened, in words a user can act on. Never contains a secret.
    public var message: String
    /// The connection state after this notice, when it changed.
    public var connection: ConnectionState?
    /// The user's device or extension the PBX named (`PJSIP/201`), for `callpop doctor`.
    public var deviceSeen: String?

    /// Creates a notice.
    public init(_ level: Level, _ message: String, connection: ConnectionState? = nil, deviceSeen: String? = nil) {
        self.level = level
        self.message = message
        self.connection = connection
        self.deviceSeen = deviceSeen
    }
}
