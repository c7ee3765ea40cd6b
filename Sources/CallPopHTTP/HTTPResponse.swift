public import CallPopCore
/// A complete response.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// The headers of the final response, in order (interim 1xx ones are dropped).
    public var headers: [HTTPHeader]
    /// The body, decoded if it was compressed.
    public var body: [UInt8]
    /// From submitting the request to its last byte.
    public var elapsed: Duration

    /// Creates a response.
    public init(status: Int, headers: [HTTPHeader], body: [UInt8], elapsed: Duration) {
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed
    }

    /// The value of the first header called `name` (any case).
    public func header(_ name: String) -> String? { headers.value(of: name) }

    /// 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
