public import CallPopCore
public import CallPopHTTP

/// `[pbx] source = "stream"`: call events from a bridge over HTTP(S) or a Unix socket
/// (`docs/pbx/stream.md`). The body is NDJSON, one event per line, or — when the bridge
/// answers `Content-Type: text/event-stream` — server-sent events whose `data:` lines are
/// NDJSON events.
///
/// A dropped or refused connection is reported and retried with capped exponential backoff
/// and jitter, forever; with server-sent events the request carries `Last-Event-ID`, so the
/// bridge can go on where the stream broke. Events replayed anyway (a bridge that ignores
/// the id, an NDJSON stream that starts over) open nothing twice: the tracker recognises
/// states a call already had. `401` and `403` stop the source (`loginRejected`): the same
/// token would be refused again.
///
/// Reading is paced by the agent: while it is behind, the HTTP transfer is paused and the
/// bridge's sends wait in TCP.
public struct HTTPEventStreamSource: CallEventSource {
    /// The settings.
    public let configuration: StreamSourceConfiguration
    private let client: HTTPClient

    /// Creates a source; nothing connects until `run`.
    public init(configuration: StreamSourceConfiguration, client: HTTPClient) {
        self.configuration = configuration
        self.client = client
    }

    /// `stream:URL` (or `stream:unix:PATH`), without query.
    public var name: String {
        if let socket = configuration.unixSocketPath { return "stream:unix:" + socket }
        let url = URIUserinfo.redacted(configuration.url)
        return "stream:" + (url.split(separator: "?").first.map(String.init) ?? url)
    }

    /// Connects and reports call events until cancelled; throws `SourceError` when the
    /// bridge refuses the credentials.
    public func run(emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void) async throws {
        // A connection that lasted 10 s is a fresh start for the backoff; shorter ones continue the streak.
        var backoff = Backoff(
            minimum: configuration.reconnectMinimum, maximum: configuration.reconnectMaximum, stableAfter: .seconds(10))
        var random = SystemRandomNumberGenerator()
        var lastEventID: String?
        var serverRetry: Duration?
        while !Task.isCancelled {
            await report(SourceReport(.info, "connecting to the event stream \(name)", connection: .connecting))
            var request = HTTPRequest(
                url: configuration.url, headers: configuration.headers,
                timeout: configuration.connectTimeout, connectTimeout: configuration.connectTimeout,
                caFile: configuration.caFile, unixSocketPath: configuration.unixSocketPath)
            request.headers.append(HTTPHeader("Accept", "text/event-stream, application/x-ndjson;q=0.9"))
            if let lastEventID { request.headers.append(HTTPHeader("Last-Event-ID", lastEventID)) }
            var problem: String
            do {
                let stream = try await client.stream(request)
                if stream.status == 401 || stream.status == 403 {
                    let message = "the event stream \(name) refused the credentials (\(stream.status)); check token_file or secret_headers"
                    await report(SourceReport(.error, message, connection: .failed))
                    throw SourceError(.loginRejected, message)
                }
                if stream.status == 200 {
                    await report(SourceReport(.info, "reading call events from \(name)", connection: .connected))
                    let started = ContinuousClock.now
                    let outcome = await read(stream, emit: emit, report: report, lastEventID: &lastEventID, serverRetry: &serverRetry)
                    if Task.isCancelled { return }
                    backoff.connectionEnded(after: ContinuousClock.now - started)
                    problem = outcome
                } else {
                    stream.cancel()
                    problem = "the event stream \(name) answered \(stream.status)"
                }
            } catch let error as HTTPError {
                if Task.isCancelled { return }
                problem = "cannot read the event stream \(name): \(error.message)"
            }
            let delay = max(backoff.nextDelay(using: &random), serverRetry ?? .zero)
            await report(SourceReport(.warning, "\(problem); reconnecting in \(delay)", connection: .disconnected))
            do { try await Task.sleep(for: delay) } catch { return }
        }
    }

    /// Reads one connection to its end; returns why it ended.
    private func read(
        _ stream: HTTPResponseStream, emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void,
        lastEventID: inout String?, serverRetry: inout Duration?
    ) async -> String {
        let isEventStream = stream.headers.value(of: "Content-Type")?.lowercased().hasPrefix("text/event-stream") == true
        var events = ServerSentEventParser(lastEventID: lastEventID)
        var lines = EventLineReader(name: name)
        var outputs: [SourceOutput] = []
        defer { stream.cancel() }
        do {
            while let bytes = try await stream.next() {
                if isEventStream {
                    for event in events.feed(bytes) where event.type == "message" {
                        lines.consume(Array(event.data.utf8)[...], into: &outputs)
                        lines.consume([0x0A], into: &outputs)
                    }
                    lastEventID = events.lastEventID
                    serverRetry = events.retryMilliseconds.map { .milliseconds($0) }
                } else {
                    lines.consume(bytes[...], into: &outputs)
                }
                for output in outputs {
                    switch output {
                    case .event(let event): await emit(event)
                    case .report(let notice): await report(notice)
                    }
                }
                outputs.removeAll(keepingCapacity: true)
            }
        } catch {
            return "the event stream \(name) broke: \(error.message)"
        }
        if !isEventStream {
            lines.finish(into: &outputs)
            for case .event(let event) in outputs { await emit(event) }
        }
        return "the event stream \(name) ended"
    }
}
