/// Incremental AMI decoder: bytes in, banner / messages / garbage notices out.
///
/// Pure and resumable: bytes may arrive split anywhere (TCP and TLS reads
/// cut messages at arbitrary points), and feeding a stream all at once, one
/// byte at a time, or split at any offset yields the same outputs. Lines end
/// with CRLF (what Asterisk sends) or a bare LF. Memory is bounded: a line
/// longer than `maxLineBytes` or a message larger than `maxMessageBytes` is
/// dropped and reported, never buffered, so a hostile or broken peer cannot
/// grow it.
public struct AMIFramer: Sendable {
    /// What the framer found in the stream.
    public enum Output: Sendable, Hashable {
        /// The greeting line `Asterisk Call Manager/x.y.z`, with the version after the slash.
        case banner(version: String)
        /// A complete message.
        case message(AMIMessage)
        /// Input that was skipped, with why; decoding goes on after it.
        case garbage(AMIGarbage)
    }

    /// The longest line kept; longer lines are dropped and reported.
    public let maxLineBytes: Int
    /// The largest message kept (sum of its line lengths); larger ones are dropped and reported.
    public let maxMessageBytes: Int

    private var line: [UInt8] = []
    private var lineOverflowed = false
    private var fields: [AMIMessage.Field] = []
    private var output: [String] = []
    private var messageBytes = 0
    /// Set after a message was dropped: skip lines until the message ends.
    private var skippingMessage = false
    /// Inside a `Response: Follows` reply: raw lines until `--END COMMAND--`.
    private var inFollows = false

    private static let bannerPrefix = "Asterisk Call Manager/"
    private static let endCommand = "--END COMMAND--"
    /// Header keys that precede the raw output of a `Follows` reply.
    private static let followsHeaderKeys: Set<String> = ["privilege", "actionid", "message"]

    /// Creates a framer; the defaults are far above anything Asterisk sends
    /// (its own lines are at most a few KiB) yet keep a runaway peer cheap.
    public init(maxLineBytes: Int = 16 * 1024, maxMessageBytes: Int = 256 * 1024) {
        self.maxLineBytes = max(64, maxLineBytes)
        self.maxMessageBytes = max(self.maxLineBytes, maxMessageBytes)
    }

    /// Decodes `bytes`, returning every output they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Output] {
        var outputs: [Output] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                endLine(into: &outputs)
            } else if lineOverflowed {
                continue
            } else if line.count >= maxLineBytes {
                lineOverflowed = true  // keep the start for the excerpt, drop the rest
            } else {
                line.append(byte)
            }
        }
        return outputs
    }

    private mutating func endLine(into outputs: inout [Output]) {
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        defer { line.removeAll(keepingCapacity: true) }
        if lineOverflowed {
            lineOverflowed = false
            outputs.append(.garbage(AMIGarbage(.lineTooLong, excerpt: line)))
            dropMessage()
            return
        }
        let text = String(decoding: line, as: UTF8.self)
        if inFollows {
            followsLine(text, into: &outputs)
        } else if text.isEmpty {
            endMessage(into: &outputs)
        } else if skippingMessage {
            return
        } else if fields.isEmpty, text.hasPrefix(Self.bannerPrefix) {
            outputs.append(.banner(version: String(text.dropFirst(Self.bannerPrefix.count))))
        } else if let field = Self.field(text) {
            add(field, lineBytes: line.count, into: &outputs)
            if field.key.caseInsensitiveEquals("Response"), field.value.caseInsensitiveEquals("Follows") {
                inFollows = true
            }
        } else {
            outputs.append(.garbage(AMIGarbage(.notAField, excerpt: line)))
        }
    }

    /// A line of a `Response: Follows` reply: its headers, raw output, or the end marker.
    private mutating func followsLine(_ text: String, into outputs: inout [Output]) {
        if text.hasSuffix(Self.endCommand) {
            let rest = String(text.dropLast(Self.endCommand.count))
            if !rest.isEmpty { appendOutput(rest, into: &outputs) }
            inFollows = false
            if skippingMessage {
                skippingMessage = false
            } else {
                outputs.append(.message(AMIMessage(fields, output: output)))
            }
            resetMessage()
        } else if output.isEmpty, let field = Self.field(text),
            Self.followsHeaderKeys.contains(field.key.lowercased())
        {
            add(field, lineBytes: text.utf8.count, into: &outputs)
        } else {
            appendOutput(text, into: &outputs)
        }
    }

    private mutating func appendOutput(_ text: String, into outputs: inout [Output]) {
        guard !skippingMessage else { return }
        messageBytes += text.utf8.count
        if messageBytes > maxMessageBytes {
            outputs.append(.garbage(AMIGarbage(.messageTooLarge, excerpt: Array(text.utf8))))
            // A `Follows` reply that never ends must not swallow the rest of the stream:
            // give up on it and resume at the next blank line.
            inFollows = false
            dropMessage()
        } else {
            output.append(text)
        }
    }

    private mutating func add(_ field: AMIMessage.Field, lineBytes: Int, into outputs: inout [Output]) {
        messageBytes += lineBytes
        if messageBytes > maxMessageBytes {
            outputs.append(.garbage(AMIGarbage(.messageTooLarge, excerpt: line)))
            dropMessage()
        } else {
            fields.append(field)
        }
    }

    private mutating func endMessage(into outputs: inout [Output]) {
        if !skippingMessage, !fields.isEmpty {
            outputs.append(.message(AMIMessage(fields)))
        }
        skippingMessage = false
        resetMessage()
    }

    /// Forgets the message being read and skips the rest of it (the `Follows`
    /// state is kept so that its end marker is still found).
    private mutating func dropMessage() {
        resetMessage()
        skippingMessage = true
    }

    private mutating func resetMessage() {
        fields.removeAll(keepingCapacity: false)
        output.removeAll(keepingCapacity: false)
        messageBytes = 0
    }

    /// Parses `Key: Value`; keys are tokens of letters, digits, `-`, `_` and `.`.
    private static func field(_ text: String) -> AMIMessage.Field? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let key = text[..<colon]
        guard !key.isEmpty, key.utf8.allSatisfy(isKeyByte) else { return nil }
        var value = text[text.index(after: colon)...]
        if value.first == " " { value = value.dropFirst() }
        return AMIMessage.Field(String(key), String(value))
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }
}

/// Input the framer skipped, with a printable excerpt for the log.
public struct AMIGarbage: Sendable, Hashable, CustomStringConvertible {
    /// Why input was skipped.
    public enum Reason: String, Sendable, Hashable {
        /// A line without `Key: Value` form.
        case notAField = "a line that is not a Key: Value field"
        /// A line longer than the framer's limit.
        case lineTooLong = "a line longer than the limit"
        /// A message larger than the framer's limit.
        case messageTooLarge = "a message larger than the limit"
    }

    /// Why input was skipped.
    public var reason: Reason
    /// At most 40 characters of the skipped input, non-printable bytes shown as `?`
    /// (the peer's bytes go to logs, so they are never passed on raw).
    public var excerpt: String

    /// Creates a notice from the skipped bytes.
    public init(_ reason: Reason, excerpt bytes: some Collection<UInt8>) {
        self.reason = reason
        self.excerpt = String(decoding: bytes.prefix(40).map { (0x20...0x7e).contains($0) ? $0 : UInt8(ascii: "?") },
                              as: UTF8.self)
    }

    /// A sentence for logs.
    public var description: String { "skipped \(reason.rawValue): \"\(excerpt)\"" }
}
