public import CallPopCore
public import CallPopAMI

/// The Asterisk Manager Interface call source: `[pbx] source = "ami"`.
///
/// The network side runs on a dedicated thread blocked in `poll` (`AMIConnectionLoop`),
/// so no blocking call ever occupies Swift's cooperative pool; events cross to the async
/// side through the bounded bridge of `CallPopPlatform`.
///
/// Faults: a lost, refused or stalled connection is reported and retried with capped
/// exponential backoff plus jitter, forever (a PBX restart is ridden through unattended),
/// followed by a `CoreShowChannels` resynchronisation. A refused login is different: the
/// same credentials will be refused again, so `run` throws `SourceError` (code
/// `loginRejected`) after one attempt instead of retrying. Cancelling the task logs off
/// politely (`Action: Logoff` is always sent) and returns within a second.
public struct AMIClient: CallEventSource {
    /// `ami`.
    public let name = "ami"
    /// The settings this client runs with.
    public let configuration: AMISourceConfiguration
    /// Click-to-dial requests, sent on this client's session while it runs.
    public let dials: AMIDialChannel

    /// Creates a client; nothing connects until `run`.
    public init(configuration: AMISourceConfiguration, dials: AMIDialChannel = AMIDialChannel()) {
        self.configuration = configuration
        self.dials = dials
    }

    /// Connects and reports call changes until cancelled, or throws `SourceError` for faults retrying cannot fix.
    public func run(
        emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void
    ) async throws {
        let endpoint: AMIEndpoint
        do { endpoint = try AMIEndpoint(url: configuration.url) } catch { throw SourceError(.invalidConfiguration, error.message) }
        guard !configuration.devices.isEmpty else {
            throw SourceError(.invalidConfiguration, "no devices to follow: set [user] number or [pbx] devices")
        }
        let (configuration, dials) = (configuration, dials)
        try await runSourceLoop(name: name, emit: emit, report: report) { link in
            AMIConnectionLoop(configuration: configuration, endpoint: endpoint, link: link, dials: dials).run()
        }
    }
}
