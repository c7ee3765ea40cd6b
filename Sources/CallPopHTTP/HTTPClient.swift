import CallPopCore
import CallPopPlatform
import CallPopCurl
import Synchronization

/// callpop's HTTP client: send a request and get the whole response, or stream a response's
/// body. Every transfer runs on one dedicated thread (`HTTPLoop`) where libcurl's multi
/// interface waits in `Poller` with the loop's wake-up pipe, so no request ever holds a thread
/// of Swift's cooperative pool, and an idle client costs a sleeping thread at most (none
/// before the first request).
///
/// Safety, for every request: TLS certificates and host names are verified (a request's
/// `caFile` adds a private CA), only `http` and `https` are spoken, redirects are not
/// followed, proxies come from the environment (`ProxyEnvironment`) and never apply to Unix
/// sockets, every request has a time limit and a response size limit, and header values
/// marked secret are never shown.
public final class HTTPClient: Sendable {
    /// The `User-Agent` of every request, e.g. `callpop/0.1.0`.
    public let userAgent: String
    /// The proxies in force.
    public let proxies: ProxyEnvironment
    private let loop: HTTPLoop

    /// Creates a client; nothing runs until the first request.
    public init(userAgent: String, proxies: ProxyEnvironment) {
        self.userAgent = userAgent
        self.proxies = proxies
        loop = HTTPLoop()
    }

    deinit { loop.stop() }

    /// Sends `request` and returns the complete response, whatever its status.
    ///
    /// - Throws: `HTTPError` when no response arrived (or it was too large). Cancelling the
    ///   calling task abandons the transfer at once (`cancelled`).
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let answer = OneShot<Result<HTTPResponse, HTTPError>>()
        let job = try makeJob(request, id: loop.nextID(), streaming: false, sink: .whole(answer))
        try loop.submit(job)
        let bound = request.timeout + .seconds(5)  // libcurl enforces `timeout`; this only guards against a stuck loop
        let result = await withTaskCancellationHandler {
            await answer.value(within: bound)
        } onCancel: {
            loop.cancel(job.id)
        }
        guard let result else {
            loop.cancel(job.id)
            throw HTTPError(.timedOut, "no answer from \(request.host) within \(bound)")
        }
        return try result.get()
    }

    /// Sends `request` and returns once the response's header has arrived; its body is then
    /// read piece by piece from the returned stream, with backpressure: while the reader is
    /// `bufferedPieces` pieces behind, the transfer is paused (the server's sends wait in TCP).
    ///
    /// - Throws: `HTTPError` when no response header arrived within `request.timeout`.
    public func stream(_ request: HTTPRequest, bufferedPieces: Int = 8) async throws(HTTPError) -> HTTPResponseStream {
        let head = OneShot<Result<HTTPResponseStream.Head, HTTPError>>()
        let id = loop.nextID()
        let channel = HTTPStreamChannel(head: head, capacity: bufferedPieces, loop: loop, id: id)
        let job = try makeJob(request, id: id, streaming: true, sink: .stream(channel))
        try loop.submit(job)
        let result = await withTaskCancellationHandler {
            await head.value(within: request.timeout)
        } onCancel: {
            loop.cancel(job.id)
        }
        guard let result else {
            loop.cancel(job.id)
            throw HTTPError(.timedOut, "no response from \(request.host) within \(request.timeout)")
        }
        let stopper = loop
        return HTTPResponseStream(head: try result.get(), channel: channel) { stopper.cancel(id) }
    }

    /// Abandons every transfer and ends the loop's thread; later requests fail with `cancelled`.
    public func shutdown() {
        loop.stop()
    }

    private func makeJob(_ request: HTTPRequest, id: UInt64, streaming: Bool, sink: HTTPJob.Sink) throws(HTTPError) -> HTTPJob {
        try request.validate()
        let timeout = Self.milliseconds(request.timeout)
        return HTTPJob(
            id: id, request: request,
            settings: .init(
                url: request.url, method: request.method,
                headerLines: request.headers.map { "\($0.name): \($0.value)" }, body: request.body,
                timeoutMilliseconds: streaming ? 0 : timeout,
                connectTimeoutMilliseconds: min(Self.milliseconds(request.connectTimeout), timeout),
                caFile: request.caFile, proxy: request.unixSocketPath == nil ? proxies.proxy(for: request.url) : "",
                noProxy: proxies.noProxy, unixSocketPath: request.unixSocketPath, userAgent: userAgent,
                maximumAnnouncedBytes: streaming ? 0 : request.maximumResponseBytes),
            sink: sink)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(duration / .milliseconds(1)))
    }
}
