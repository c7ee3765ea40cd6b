import CallPopCurl
import CallPopPlatform
import Synchronization

/// A request handed to the loop, with where its answer goes.
final class HTTPJob: Sendable {
    /// Where the response goes.
    enum Sink: Sendable {
        /// `send`: the whole response, once.
        case whole(OneShot<Result<HTTPResponse, HTTPError>>)
        /// `stream`: the head once, then the body piece by piece.
        case stream(HTTPStreamChannel)
    }

    let id: UInt64
    let request: HTTPRequest
    let settings: CurlTransfer.Settings
    let sink: Sink

    init(id: UInt64, request: HTTPRequest, settings: CurlTransfer.Settings, sink: Sink) {
        self.id = id
        self.request = request
        self.settings = settings
        self.sink = sink
    }

    /// Ends the job with `failure` (before or without a response).
    func fail(_ failure: HTTPError) {
        switch sink {
        case .whole(let answer): answer.fulfil(.failure(failure))
        case .stream(let channel):
            channel.head.fulfil(.failure(failure))  // ignored when the head was already given
            channel.end(failure)
        }
    }
}

/// A job while libcurl works on it: lives on the loop's thread only.
final class ActiveTransfer {
    let job: HTTPJob
    let transfer: CurlTransfer
    let started = ContinuousClock.now
    private var parser = HTTPHeadParser()
    private var head: HTTPResponseStream.Head?
    private var body: [UInt8] = []
    /// Why a callback stopped the transfer, when it did.
    private(set) var refusal: HTTPError?

    init(_ job: HTTPJob) throws(CurlError) {
        self.job = job
        transfer = try CurlTransfer(job.settings)
        transfer.onHeaderLine = { [unowned self] line in headerLine(line) }
        transfer.onData = { [unowned self] bytes in data(bytes) }
    }

    private func headerLine(_ line: UnsafeRawBufferPointer) -> Bool {
        switch parser.feed(line) {
        case .more:
            return true
        case .complete(let status, let headers):
            let head = HTTPResponseStream.Head(status: status, headers: headers)
            self.head = head
            if case .stream(let channel) = job.sink { channel.head.fulfil(.success(head)) }
            return true
        case .refused(let why):
            refusal = HTTPError(.malformedResponse, "\(job.request.host): \(why)")
            return false
        }
    }

    private func data(_ bytes: UnsafeRawBufferPointer) -> CurlTransfer.DataAnswer {
        switch job.sink {
        case .whole:
            guard body.count + bytes.count <= job.request.maximumResponseBytes else {
                refusal = tooLarge
                return .abort
            }
            body.append(contentsOf: bytes)
            return .taken
        case .stream(let channel):
            switch channel.bridge.offer(Array(bytes)) {
            case .accepted: return .taken
            case .full:
                channel.pauses.add(1, ordering: .relaxed)
                return .pause  // libcurl keeps these bytes and offers them again on resume
            case .closed:
                refusal = HTTPError(.cancelled, "the reader of \(job.request.host) went away")
                return .abort
            }
        }
    }

    private var tooLarge: HTTPError {
        HTTPError(.tooLarge, "the response from \(job.request.host) is larger than \(job.request.maximumResponseBytes) bytes")
    }

    /// libcurl is done with the transfer: hand over the response or the failure.
    func finish(_ error: CurlError?) {
        if let failure = refusal ?? error.map(translate) {
            job.fail(failure)
            return
        }
        guard let head else {
            job.fail(HTTPError(.malformedResponse, "\(job.request.host) sent no HTTP response header"))
            return
        }
        switch job.sink {
        case .whole(let answer):
            answer.fulfil(.success(HTTPResponse(status: head.status, headers: head.headers, body: body, elapsed: .now - started)))
        case .stream(let channel):
            channel.end(nil)
        }
    }

    private func translate(_ error: CurlError) -> HTTPError {
        let code: HTTPError.Code = switch error.category {
        case .connect: .cannotConnect
        case .timeout: .timedOut
        case .tls: .tls
        case .tooLarge: .tooLarge
        case .aborted: .cancelled
        case .transfer: .brokenConnection
        case .request: .invalidRequest
        }
        return code == .tooLarge ? tooLarge : HTTPError(code, error.message)
    }
}
