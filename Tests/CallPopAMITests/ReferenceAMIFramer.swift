@testable import CallPopAMI

/// The framer's rules written the obvious way, for differential tests: the whole stream at
/// once, split into lines, one line at a time, with strings. No partial lines, no regions, no
/// fast paths; slow and plain, so that `AMIFramer` (which parses in place, copies once, skips
/// unwanted events with `memchr` and reads keys eight bytes at a time) can be checked against it.
struct ReferenceAMIFramer {
    let maxLineBytes: Int
    let maxMessageBytes: Int
    let events: Set<String>?

    init(maxLineBytes: Int = 16 * 1024, maxMessageBytes: Int = 256 * 1024, events: [String]? = nil) {
        let framer = AMIFramer(maxLineBytes: maxLineBytes, maxMessageBytes: maxMessageBytes)
        self.maxLineBytes = framer.maxLineBytes
        self.maxMessageBytes = framer.maxMessageBytes
        self.events = events.map { Set($0.map { $0.lowercased() }) }
    }

    func decode(_ stream: [UInt8]) -> [AMIFramer.Output] {
        var outputs: [AMIFramer.Output] = []
        var fields: [AMIMessage.Field] = []
        var output: [String] = []
        var messageBytes = 0
        var dropped = false  // a line or the message was too large: skip to the blank line
        var skipping = false  // an event the filter does not pass: skip to the blank line
        var inFollows = false

        func reset() {
            fields = []
            output = []
            messageBytes = 0
        }
        func drop() {
            reset()
            dropped = true
        }
        func appendOutput(_ text: String) {
            guard !dropped else { return }
            messageBytes += text.utf8.count
            if messageBytes > maxMessageBytes {
                outputs.append(.garbage(AMIGarbage(.messageTooLarge, excerpt: Array(text.utf8))))
                inFollows = false
                drop()
            } else {
                output.append(text)
            }
        }
        func add(_ line: [UInt8], colon: Int) {
            messageBytes += line.count
            if messageBytes > maxMessageBytes {
                outputs.append(.garbage(AMIGarbage(.messageTooLarge, excerpt: line)))
                drop()
                return
            }
            var valueStart = colon + 1
            if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            fields.append(.init(String(decoding: line[..<colon], as: UTF8.self), String(decoding: line[valueStart...], as: UTF8.self)))
        }

        var lines = stream.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        lines.removeLast()  // the bytes after the last line feed are an unfinished line
        for raw in lines {
            var line = raw
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if skipping {
                if line.isEmpty { skipping = false }
                continue
            }
            if raw.count > maxLineBytes {
                outputs.append(.garbage(AMIGarbage(.lineTooLong, excerpt: raw)))
                drop()
                continue
            }
            if inFollows {
                let text = String(decoding: line, as: UTF8.self)
                if text.hasSuffix("--END COMMAND--") {
                    let rest = String(text.dropLast("--END COMMAND--".count))
                    if !rest.isEmpty { appendOutput(rest) }
                    inFollows = false
                    if dropped {
                        dropped = false
                    } else {
                        outputs.append(.message(AMIMessage(fields, output: output)))
                    }
                    reset()
                } else if output.isEmpty, let colon = Self.keyEnd(line),
                    ["privilege", "actionid", "message"].contains(String(decoding: line[..<colon], as: UTF8.self).lowercased())
                {
                    messageBytes += text.utf8.count - line.count  // `add` counts the bytes; the reply counts the text
                    add(line, colon: colon)
                } else {
                    appendOutput(text)
                }
                continue
            }
            if line.isEmpty {
                if !dropped, !fields.isEmpty { outputs.append(.message(AMIMessage(fields, output: output))) }
                dropped = false
                reset()
                continue
            }
            if dropped { continue }
            if let colon = Self.keyEnd(line) {
                if fields.isEmpty {
                    let key = String(decoding: line[..<colon], as: UTF8.self).lowercased()
                    var valueStart = colon + 1
                    if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
                    let value = String(decoding: line[valueStart...], as: UTF8.self).lowercased()
                    if let events, key == "event", !events.contains(value) {
                        skipping = true
                        continue
                    }
                    if key == "response", value == "follows" { inFollows = true }
                }
                add(line, colon: colon)
            } else if fields.isEmpty, line.starts(with: Array("Asterisk Call Manager/".utf8)) {
                outputs.append(.banner(version: String(decoding: line.dropFirst(22), as: UTF8.self)))
            } else {
                outputs.append(.garbage(AMIGarbage(.notAField, excerpt: line)))
            }
        }
        return outputs
    }

    /// The colon ending a key of letters, digits, `-`, `_`, `.`; one byte at a time.
    static func keyEnd(_ line: [UInt8]) -> Int? {
        for (index, byte) in line.enumerated() {
            if byte == UInt8(ascii: ":") { return index == 0 ? nil : index }
            let isLetter = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
            let isOther = (byte >= 48 && byte <= 57) || byte == 45 || byte == 95 || byte == 46
            if !isLetter && !isOther { return nil }
        }
        return nil
    }
}
