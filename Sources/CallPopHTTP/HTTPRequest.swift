public import CallPopCore
/// One HTTP request, in plain values: what `HTTPClient.send` and `stream` take.
public struct HTTPRequest: Sendable, Hashable {
    /// The method: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`.
    public var method: String
    /// An absolute `http://` or `https://` URL.
    public var url: String
    /// Headers to send besides `User-Agent`; secrets are marked and never shown.
    public var headers: [HTTPHeader]
    /// The body; `nil` sends none.
    public var body: [UInt8]?
    /// For `send`: the whole exchange's limit. For `stream`: the limit until the response's
    /// header has arrived (the body may then flow for as long as it likes).
    public var timeout: Duration
    /// The limit for connecting and the TLS handshake (never more than `timeout`).
    public var connectTimeout: Duration
    /// A PEM file of CAs to trust instead of the system's (a private CA, a self-signed server).
    public var caFile: String?
    /// The largest body `send` accepts; a larger one fails with `HTTPError.Code.tooLarge`.
    public var maximumResponseBytes: Int
    /// Talk HTTP over this Unix socket instead of TCP (the URL's host is then only the `Host` header).
    public var unixSocketPath: String?

    /// Creates a request; the defaults suit a small API call.
    public init(
        method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(10), caFile: String? = nil,
        maximumResponseBytes: Int = 1 << 20, unixSocketPath: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.caFile = caFile
        self.maximumResponseBytes = maximumResponseBytes
        self.unixSocketPath = unixSocketPath
    }

    /// Throws `invalidRequest` when the request cannot be sent as it is. Values reach this
    /// point already encoded; the check is the last line against a header split in two.
    public func validate() throws(HTTPError) {
        guard !method.isEmpty, method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw HTTPError(.invalidRequest, "method '\(method.prefix(16))' is not an upper-case token")
        }
        let lower = url.prefix(8).lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw HTTPError(.invalidRequest, "only http:// and https:// URLs are requested")
        }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw HTTPError(.invalidRequest, "the URL holds white space or a control character")
        }
        for header in headers {
            guard HTTPHeader.isValidName(header.name) else {
                throw HTTPError(.invalidRequest, "'\(header.name.prefix(40))' is not a header name")
            }
            guard HTTPHeader.isValidValue(header.value) else {
                throw HTTPError(.invalidRequest, "the value of header \(header.name) holds a line break or a control character")
            }
        }
    }

    /// The host the URL names, for messages (never the path or query, which may hold data).
    public var host: String {
        let afterScheme = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard afterScheme.count >= 3 else { return url.prefix(40) + "" }
        let authority = afterScheme[2]
        return String(authority.split(separator: "@").last ?? authority)
    }
}
