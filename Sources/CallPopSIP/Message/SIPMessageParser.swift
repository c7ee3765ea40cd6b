import CallPopCore
/// Parses SIP messages (RFC 3261 section 7) from untrusted bytes.
///
/// Lenient where real servers differ (bare LF line ends, spaces before the colon,
/// `Content-Length:   226`), strict where the framing is at stake (limits, numbers).
public enum SIPMessageParser {
    /// The largest header section accepted (start line and headers).
    public static let maxHeaderBytes = 32 * 1024
    /// The largest body accepted.
    public static let maxBodyBytes = 512 * 1024

    /// Parses one UDP datagram: the body is `Content-Length` bytes, or the rest when absent.
    public static func parseDatagram(_ bytes: [UInt8]) throws(SIPError) -> SIPMessage {
        var slice = bytes[...]
        while let first = slice.first, first == 13 || first == 10 { slice.removeFirst() }
        guard let (headEnd, bodyStart) = findHeadEnd(slice) else {
            if slice.count > maxHeaderBytes { throw SIPError(.headerTooLarge, "header section over \(maxHeaderBytes) bytes") }
            throw SIPError(.truncated, "no empty line after the headers")
        }
        let (startLine, headers) = try parseHead(slice[slice.startIndex..<headEnd])
        let rest = slice[bodyStart...]
        guard let length = try contentLength(headers) else {
            return SIPMessage(startLine: startLine, headers: headers, body: Array(rest.prefix(maxBodyBytes)))
        }
        guard length <= rest.count else {
            throw SIPError(.truncated, "Content-Length \(length) but \(rest.count) body bytes")
        }
        return SIPMessage(startLine: startLine, headers: headers, body: Array(rest.prefix(length)))
    }

    /// Finds the empty line ending the head: the index where the head ends and where the body starts.
    static func findHeadEnd(_ bytes: ArraySlice<UInt8>) -> (Int, Int)? {
        var index = bytes.startIndex
        let limit = min(bytes.endIndex, bytes.startIndex + maxHeaderBytes + 4)
        while index < limit {
            if bytes[index] == 10 {
                let next = index + 1
                if next < bytes.endIndex, bytes[next] == 10 { return (index, next + 1) }
                if next + 1 < bytes.endIndex, bytes[next] == 13, bytes[next + 1] == 10 { return (index, next + 2) }
            }
            index += 1
        }
        return nil
    }

    /// Parses the start line and headers (without the empty line), undoing folding.
    static func parseHead(_ head: ArraySlice<UInt8>) throws(SIPError) -> (SIPStartLine, [SIPHeader]) {
        guard head.count <= maxHeaderBytes else { throw SIPError(.headerTooLarge, "header section over \(maxHeaderBytes) bytes") }
        // Split bytes, not Characters: in Swift "\r\n" is one Character.
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line in
            Substring(String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self))
        }[...]
        guard let first = lines.popFirst() else { throw SIPError(.badStartLine, "empty message") }
        let startLine = try parseStartLine(first)
        var headers: [SIPHeader] = []
        for line in lines {
            if let lead = line.unicodeScalars.first, SIPText.isBlank(lead) {
                guard !headers.isEmpty else { throw SIPError(.badHeader, "continuation line before any header") }
                let continued = SIPText.trim(line)
                // A blank continuation adds nothing (not even the space that joins lines): the
                // value must read the same when we send it back in an answer.
                guard !continued.isEmpty else { continue }
                headers[headers.count - 1].value += headers[headers.count - 1].value.isEmpty ? continued : " " + continued
                continue
            }
            // By scalars: a combining mark after the colon must not hide it.
            guard let colon = line.unicodeScalars.firstIndex(of: ":") else {
                throw SIPError(.badHeader, "header line without a colon")
            }
            let name = SIPText.trim(line[..<colon])
            guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else {
                throw SIPError(.badHeader, "invalid header name")
            }
            headers.append(SIPHeader(name, SIPText.trim(Substring(line.unicodeScalars[line.unicodeScalars.index(after: colon)...]))))
        }
        return (startLine, headers)
    }

    /// The declared `Content-Length`, `nil` when the header is absent.
    static func contentLength(_ headers: [SIPHeader]) throws(SIPError) -> Int? {
        guard let header = headers.first(where: { SIPHeaderName.canonical($0.name) == "content-length" }) else { return nil }
        guard !header.value.isEmpty, header.value.count <= 9, header.value.allSatisfy(\.isASCII),
              let length = Int(header.value), length >= 0 else {
            throw SIPError(.badContentLength, "Content-Length is not a number")
        }
        guard length <= maxBodyBytes else {
            throw SIPError(.badContentLength, "Content-Length \(length) over the \(maxBodyBytes)-byte limit")
        }
        return length
    }

    private static func parseStartLine(_ line: Substring) throws(SIPError) -> SIPStartLine {
        // By scalars, as the header lines: a combining mark after a space does not hide it.
        let parts = line.unicodeScalars.split(separator: " ", maxSplits: 2).map(Substring.init)
        guard parts.count >= 2 else { throw SIPError(.badStartLine, "start line has fewer than two fields") }
        if parts[0].uppercased() == "SIP/2.0" {
            guard parts[1].count == 3, parts[1].allSatisfy(\.isASCII), let code = Int(parts[1]), (100...699).contains(code) else {
                throw SIPError(.badStartLine, "status code is not 100-699")
            }
            let reason = parts.count == 3 ? UntrustedText.clean(parts[2], for: .logLine) : ""
            return .response(statusCode: code, reason: reason)
        }
        guard parts.count == 3, parts[2].uppercased() == "SIP/2.0" else {
            throw SIPError(.badStartLine, "not a SIP/2.0 request or response")
        }
        guard parts[0].allSatisfy(isTokenCharacter) else { throw SIPError(.badStartLine, "invalid method") }
        return .request(method: String(parts[0]), uri: String(parts[1]))
    }

    /// RFC 3261 `token` characters.
    static func isTokenCharacter(_ character: Character) -> Bool {
        guard character.isASCII, let ascii = character.asciiValue else { return false }
        if (48...57).contains(ascii) || (65...90).contains(ascii) || (97...122).contains(ascii) { return true }
        return "-.!%*_+`'~".contains(character)
    }
}
