/// Why an HTTP request got no usable response: the one error type of `CallPopHTTP`.
///
/// A response with any status (404, 500) is not an error here: the caller decides what a
/// status means. The message names the host at most, never the query or a header.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Hashable {
        /// The request cannot be sent as given (bad URL, a line break in a header value).
        case invalidRequest
        /// The name did not resolve, or the connection was refused or unreachable.
        case cannotConnect
        /// Connecting, or the whole exchange, took longer than the request allows.
        case timedOut
        /// TLS failed: the certificate or the host name did not verify, or the handshake broke.
        case tls
        /// The response is larger than the request allows.
        case tooLarge
        /// The peer's answer is not HTTP, or its header is too large.
        case malformedResponse
        /// The connection broke during the exchange.
        case brokenConnection
        /// The request was cancelled (the caller went away, or the client shut down).
        case cancelled
        /// No thread, pipe or libcurl handle could be made.
        case resources
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, safe to log.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the same request may succeed later: network trouble is worth retrying, a
    /// request that cannot be sent or an answer that is too large is not.
    public var isRetryable: Bool {
        switch code {
        case .cannotConnect, .timedOut, .tls, .malformedResponse, .brokenConnection, .resources: true
        case .invalidRequest, .tooLarge, .cancelled: false
        }
    }

    /// The message.
    public var description: String { message }
}
