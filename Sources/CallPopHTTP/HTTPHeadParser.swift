import CallPopCore
/// Collects a response's header lines, as libcurl hands them over one by one, into the
/// final response's status and headers. Pure, and bounded: a peer cannot grow the header
/// past `maximumBytes` or `maximumCount`.
struct HTTPHeadParser {
    /// What one line did.
    enum Step: Equatable {
        /// More lines to come.
        case more
        /// The final response's header is complete.
        case complete(status: Int, headers: [HTTPHeader])
        /// Not a response header, or too large.
        case refused(String)
    }

    static let maximumBytes = 64 * 1024
    static let maximumCount = 128

    private var status: Int?
    private var headers: [HTTPHeader] = []
    private var bytes = 0

    /// Feeds one line, line end included.
    mutating func feed(_ line: some Collection<UInt8>) -> Step {
        bytes += line.count
        guard bytes <= Self.maximumBytes else { return .refused("the response header is larger than \(Self.maximumBytes) bytes") }
        var text = Array(line)
        while let last = text.last, last == 0x0A || last == 0x0D { text.removeLast() }
        if text.isEmpty {
            guard let status else { return .refused("the response does not start with an HTTP status line") }
            if (100..<200).contains(status) {  // 100 Continue and friends: the real answer follows
                self.status = nil
                headers = []
                return .more
            }
            return .complete(status: status, headers: headers)
        }
        if text.starts(with: Array("HTTP/".utf8)) {
            // A status line: "HTTP/1.1 200 OK" or "HTTP/2 200".
            let fields = text.split(separator: 0x20, maxSplits: 2)
            guard fields.count >= 2, fields[1].count == 3, let code = Int(String(decoding: fields[1], as: UTF8.self)),
                  (100...599).contains(code)
            else { return .refused("malformed status line") }
            status = code
            headers = []
            return .more
        }
        guard status != nil else { return .refused("the response does not start with an HTTP status line") }
        if text.first == 0x20 || text.first == 0x09 {
            // An obsolete folded continuation line belongs to the previous header's value.
            guard !headers.isEmpty else { return .refused("a continuation line without a header") }
            headers[headers.count - 1].value += " " + Self.trimmed(text[...])
            return .more
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              text[..<colon].allSatisfy(HTTPHeader.isTokenByte)
        else { return .refused("malformed header line") }
        guard headers.count < Self.maximumCount else { return .refused("more than \(Self.maximumCount) response headers") }
        headers.append(HTTPHeader(String(decoding: text[..<colon], as: UTF8.self), Self.trimmed(text[(colon + 1)...])))
        return .more
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let start = bytes.firstIndex { !blank($0) } ?? bytes.endIndex
        let end = bytes.lastIndex { !blank($0) }.map { $0 + 1 } ?? start
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}
