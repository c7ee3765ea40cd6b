public import CallPopCore
import CallPopPlatform
import Synchronization

/// The Asterisk Manager Interface call source: `[pbx] source = "ami"`.
///
/// The network side runs on a dedicated thread blocked in `poll` (see
/// `AMIConnectionLoop`), so no blocking call ever occupies Swift's cooperative
/// pool; events cross to the async side through an `AsyncStream`.
///
/// Faults: a lost, refused or stalled connection is reported and retried with
/// capped exponential backoff plus jitter, forever (a PBX restart is ridden
/// through unattended), followed by a `CoreShowChannels` resynchronisation. A
/// refused login is different: the same credentials will be refused again, so
/// `run` throws `AMIError` (code `loginRejected`) after one attempt instead of
/// retrying; fixing the secret and reloading starts the source again.
/// Cancelling the task logs off politely (`Action: Logoff`, up to 2 s), or abandons a
/// connection attempt in progress within about a second.
public struct AMIClient: CallEventSource {
    /// `ami`.
    public let name = "ami"
    /// The settings this client runs with.
    public let configuration: AMISourceConfiguration

    /// Creates a client; nothing connects until `run`.
    public init(configuration: AMISourceConfiguration) {
        self.configuration = configuration
    }

    /// Connects and reports call changes until cancelled, or throws `AMIError` for faults retrying cannot fix.
    public func run(
        emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void
    ) async throws {
        let endpoint = try AMIEndpoint(url: configuration.url)
        guard !configuration.devices.isEmpty else {
            throw AMIError(.invalidConfiguration, "no devices to follow: set [user] number or [pbx] devices")
        }
        let wake: WakePipe
        do { wake = try WakePipe() } catch { throw AMIError(.systemResources, error.description) }
        let (outputs, continuation) = AsyncStream.makeStream(of: AMIConnectionLoop.Output.self)
        let finished = ThreadCompletion()
        let loop = AMIConnectionLoop(
            configuration: configuration, endpoint: endpoint, wake: wake,
            deliver: { continuation.yield($0) })
        let started = DetachedThread.start {
            do throws(AMIError) {
                try loop.run()
                finished.complete(with: nil)
            } catch {
                finished.complete(with: error)
            }
            continuation.finish()
        }
        guard started else {
            throw AMIError(.systemResources, "cannot start the AMI source: the system refused a new thread (out of memory or process limits)")
        }
        await withTaskCancellationHandler {
            for await output in outputs {
                switch output {
                case .emit(let event): await emit(event)
                case .report(let notice): await report(notice)
                }
            }
        } onCancel: {
            wake.wake()
        }
        // On cancellation the stream ends at once; wait for the thread's Logoff so it is really sent.
        if let error = await finished.wait() { throw error }
    }
}

/// A one-shot signal from the I/O thread to the async side that does not end early on
/// cancellation (unlike `AsyncStream` iteration), so a cancelled `run` still waits for the Logoff.
private final class ThreadCompletion: Sendable {
    private enum State {
        case running
        case waiting(CheckedContinuation<AMIError?, Never>)
        case finished(AMIError?)
    }

    private let state = Mutex(State.running)

    func complete(with error: AMIError?) {
        let waiter: CheckedContinuation<AMIError?, Never>? = state.withLock { state in
            defer { state = .finished(error) }
            if case .waiting(let continuation) = state { return continuation }
            return nil
        }
        waiter?.resume(returning: error)
    }

    func wait() async -> AMIError? {
        await withCheckedContinuation { continuation in
            let result: AMIError?? = state.withLock { state in
                if case .finished(let error) = state { return .some(error) }
                state = .waiting(continuation)
                return .none
            }
            if let result { continuation.resume(returning: result) }
        }
    }
}
