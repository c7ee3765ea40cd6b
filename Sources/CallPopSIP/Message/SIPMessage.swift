/// One header line of a SIP message, as received or to be sent.
public struct SIPHeader: Sendable, Hashable {
    /// The name as written (`Call-ID`, `i`, `call-id` are the same header; see `SIPHeaderName`).
    public var name: String
    /// The value with folding undone and surrounding whitespace trimmed.
    public var value: String

    /// Creates a header line.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The first line of a SIP message.
public enum SIPStartLine: Sendable, Hashable {
    /// `METHOD request-uri SIP/2.0`.
    case request(method: String, uri: String)
    /// `SIP/2.0 code reason`.
    case response(statusCode: Int, reason: String)
}

/// A SIP request or response (RFC 3261 section 7): start line, ordered headers, body bytes.
public struct SIPMessage: Sendable, Hashable {
    /// The request or status line.
    public var startLine: SIPStartLine
    /// Header lines in order; several lines may share a name.
    public var headers: [SIPHeader]
    /// The body, exactly `Content-Length` bytes.
    public var body: [UInt8]

    /// Creates a message; `serialized()` writes `Content-Length` from the body.
    public init(startLine: SIPStartLine, headers: [SIPHeader], body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    /// The method of a request, or `nil` for a response.
    public var method: String? {
        if case .request(let method, _) = startLine { return method }
        return nil
    }

    /// The status code of a response, or `nil` for a request.
    public var statusCode: Int? {
        if case .response(let code, _) = startLine { return code }
        return nil
    }

    /// The value of every header line with this name (compact and long forms match), in order.
    public func headerValues(_ name: String) -> [String] {
        let wanted = SIPHeaderName.canonical(name)
        return headers.filter { SIPHeaderName.canonical($0.name) == wanted }.map(\.value)
    }

    /// The first header line with this name.
    public func header(_ name: String) -> String? {
        headerValues(name).first
    }

    /// The elements of a comma-separated list header (`Via`, `Route`, `Record-Route`,
    /// `Contact`...) over all its lines; commas inside quotes or `<...>` do not split.
    public func listValues(_ name: String) -> [String] {
        headerValues(name).flatMap(SIPText.splitList)
    }

    /// The `CSeq` number and method.
    public var cseq: (number: UInt32, method: String)? {
        guard let value = header("CSeq") else { return nil }
        let parts = value.unicodeScalars.split(whereSeparator: SIPText.isBlank)
        guard parts.count == 2, let number = UInt32(String(parts[0])) else { return nil }
        return (number, String(parts[1]).uppercased())
    }

    /// The wire form: start line, headers with `Content-Length` set from the body, CRLF, body.
    public func serialized() -> [UInt8] {
        var text: String
        switch startLine {
        case .request(let method, let uri): text = "\(method) \(uri) SIP/2.0\r\n"
        case .response(let code, let reason): text = "SIP/2.0 \(code) \(reason)\r\n"
        }
        for header in headers where SIPHeaderName.canonical(header.name) != "content-length" {
            text += "\(header.name): \(header.value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\n\r\n"
        return Array(text.utf8) + body
    }
}
