public import CallPopCore
public import CallPopSIP

/// PBX source: the user's own SIP account subscribes to the RFC 4235 `dialog` event
/// package of the user's extension (and any extra ones) and turns the NOTIFYs into
/// call events. Least privilege: nothing but a SIP account and BLF permission needed.
///
/// All network I/O runs on one dedicated thread blocked in `poll` (socket, wake pipe,
/// earliest protocol deadline); the protocol is `SubscriptionStateMachine`. Cancelling
/// the task ends every subscription with an un-SUBSCRIBE (`Expires: 0`) before returning.
public struct SIPDialogSource: CallEventSource {
    /// The configuration.
    public let configuration: SIPSourceConfiguration
    private let seed: UInt64?

    /// Creates the source; `seed` fixes generated tags and ids (tests only).
    public init(configuration: SIPSourceConfiguration, seed: UInt64? = nil) {
        self.configuration = configuration
        self.seed = seed
    }

    /// `sip`.
    public var name: String { "sip" }

    /// Subscribes until cancelled; throws `SourceError` only for what retrying cannot fix.
    public func run(emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void) async throws {
        guard !configuration.uri.host.isEmpty, ["sip", "sips"].contains(configuration.uri.scheme) else {
            throw SourceError(.invalidConfiguration, "pbx uri \"\(configuration.uri.raw)\" is not a sip: URI with a host")
        }
        let configuration = configuration
        let seed = seed
        try await runSourceLoop(name: name, emit: emit, report: report) { link in
            SubscriptionLoop(configuration: configuration, link: link, seed: seed).run()
            return nil
        }
    }
}
