/// Splits a byte stream (TCP, TLS) into SIP messages by `Content-Length` (RFC 3261 18.3).
///
/// Feed it whatever `recv` returned; take messages until it says it needs more.
/// CRLFs between messages are keep-alives (RFC 5626 section 3.5.1) and are skipped.
/// After an error the stream cannot be resynchronised: close the connection.
public struct SIPStreamFramer: Sendable {
    private var buffer: [UInt8] = []

    /// Creates an empty framer.
    public init() {}

    /// Bytes received and not yet returned as messages.
    public var bufferedByteCount: Int { buffer.count }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or `nil` until more bytes arrive.
    public mutating func nextMessage() throws(SIPError) -> SIPMessage? {
        let skip = buffer.prefix(while: { $0 == 13 || $0 == 10 }).count
        if skip > 0 { buffer.removeFirst(skip) }
        guard !buffer.isEmpty else { return nil }
        guard let (headEnd, bodyStart) = SIPMessageParser.findHeadEnd(buffer[...]) else {
            if buffer.count > SIPMessageParser.maxHeaderBytes {
                throw SIPError(.headerTooLarge, "header section over \(SIPMessageParser.maxHeaderBytes) bytes")
            }
            return nil
        }
        let (startLine, headers) = try SIPMessageParser.parseHead(buffer[..<headEnd])
        // On a stream Content-Length is mandatory; a missing one can only mean "no body".
        let length = try SIPMessageParser.contentLength(headers) ?? 0
        guard buffer.count - bodyStart >= length else { return nil }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return SIPMessage(startLine: startLine, headers: headers, body: body)
    }
}
