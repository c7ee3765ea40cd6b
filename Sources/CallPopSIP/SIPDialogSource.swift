public import CallPopCore
import CallPopPlatform

/// Why the SIP source cannot run at all.
public struct SIPSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What to fix.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// PBX source: the user's own SIP account subscribes to the RFC 4235 `dialog` event
/// package of the user's extension (and any extra ones) and turns the NOTIFYs into
/// call events. Least privilege: nothing but a SIP account and BLF permission needed.
///
/// All network I/O runs on one dedicated thread blocked in `poll` (socket, wake pipe,
/// earliest protocol deadline); the protocol is `SubscriptionStateMachine`.
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

    /// Subscribes until cancelled; throws only for what retrying cannot fix.
    public func run(emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void) async throws {
        guard !configuration.uri.host.isEmpty, ["sip", "sips"].contains(configuration.uri.scheme) else {
            throw SIPSourceError("pbx uri \"\(configuration.uri.raw)\" is not a sip: URI with a host")
        }
        let wake: WakePipe
        do { wake = try WakePipe() } catch { throw SIPSourceError("cannot start the SIP source: \(error)") }
        let (stream, continuation) = AsyncStream<LoopOutput>.makeStream()
        let configuration = configuration
        let seed = seed
        let started = DetachedThread.start {
            SubscriptionLoop(configuration: configuration, wakeFD: wake.readEnd, seed: seed) { continuation.yield($0) }.run()
            continuation.finish()
        }
        guard started else { throw SIPSourceError("cannot start the SIP source: the system refused a new thread (out of memory or process limits)") }
        await withTaskCancellationHandler {
            for await output in stream {
                switch output {
                case .event(let event): await emit(event)
                case .report(let notice): await report(notice)
                }
            }
        } onCancel: {
            wake.wake()
        }
    }
}
