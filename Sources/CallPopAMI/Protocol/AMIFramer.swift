#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Incremental AMI decoder: bytes in, banner / messages / garbage notices out.
///
/// Pure and resumable: bytes may arrive split anywhere (TCP and TLS reads
/// cut messages at arbitrary points), and feeding a stream all at once, one
/// byte at a time, or split at any offset yields the same outputs. Lines end
/// with CRLF (what Asterisk sends) or a bare LF. Memory is bounded: a line
/// longer than `maxLineBytes` or a message larger than `maxMessageBytes` is
/// dropped and reported, never buffered, so a hostile or broken peer cannot
/// grow it.
///
/// Fast: complete lines are parsed in the caller's buffer (found with
/// `memchr`), and a message is copied once, at its end, into one allocation
/// (`AMIMessage`); only a message cut by the end of a read is copied in parts.
/// With an event filter, a message whose first field is `Event` with a name the
/// filter does not pass is skipped from that line: the rest is only scanned for the
/// blank line that ends it (nothing is parsed, copied or reported), sixteen bytes at
/// a step, so most of a PBX's stream (`VarSet`, `Newexten`, device states) costs a
/// few instructions per window of 16 bytes (`skipBlockwise`).
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
    /// The events passed on; `nil` passes every message.
    public let events: AMIEventFilter?
    /// How many events the filter skipped so far.
    public private(set) var skippedEvents = 0

    /// The start of a line cut by the end of a read (complete lines are parsed in place).
    private var partialLine: [UInt8] = []
    private var lineOverflowed = false
    /// The message being read: four offsets per field into its bytes, which are the field
    /// lines as received (each with its line feed), partly still in the caller's buffer.
    private var offsets = AMIFieldOffsetList()
    /// The message's bytes copied so far (at the end of a read, or for a line cut by one).
    private var copied: [UInt8] = []
    /// The part of the current read holding the message's field lines not yet copied.
    private var region: Range<Int>?
    private var output: [String] = []
    private var messageBytes = 0
    /// Set after a message was dropped: skip lines until the message ends.
    private var skippingMessage = false
    /// Inside a `Response: Follows` reply: raw lines until `--END COMMAND--`.
    private var inFollows = false
    /// Skipping an event the filter does not pass, and where in its current line.
    private var skip = SkipState.off

    private enum SkipState {
        /// Not skipping.
        case off
        /// At the start of a line (a line feed or a blank line ends the event).
        case lineStart
        /// The line so far is one carriage return (a line feed now ends the event).
        case carriageReturn
        /// Inside a line that is not blank.
        case midLine
    }

    private static let bannerPrefix = "Asterisk Call Manager/"
    /// Whether `line` starts with exactly `Event: ` (what `keyEnd` and the first-field rules read
    /// the same way, in one comparison).
    @inline(__always)
    private static func isEventLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard line.count >= 7, let base = line.baseAddress else { return false }
        // "Event: " is seven bytes: compare the first four and the last four of them as words.
        let head = UInt32(littleEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt32.self))
        let tail = UInt32(littleEndian: UnsafeRawPointer(base + 3).loadUnaligned(as: UInt32.self))
        return head == 0x6E65_7645 && tail == 0x203A_746E  // "Even" and "nt: ", first byte lowest
    }
    private static let endCommand = "--END COMMAND--"
    /// Header keys that precede the raw output of a `Follows` reply.
    private static let followsHeaderKeys = ["privilege", "actionid", "message"]

    /// Creates a framer; the defaults are far above anything Asterisk sends
    /// (its own lines are at most a few KiB) yet keep a runaway peer cheap.
    /// Limits are capped at 1 GiB, so a message's offsets always fit in 32 bits.
    /// `events`: pass only these events (and every message that is not an event).
    public init(maxLineBytes: Int = 16 * 1024, maxMessageBytes: Int = 256 * 1024, events: AMIEventFilter? = nil) {
        let cap = 1 << 30
        self.maxLineBytes = min(cap, max(64, maxLineBytes))
        self.maxMessageBytes = min(cap, max(self.maxLineBytes, maxMessageBytes))
        self.events = events
    }

    /// Decodes `bytes`, returning every output they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Output] {
        var outputs: [Output] = []
        // A read of a busy PBX holds several messages: one allocation, not a growth series.
        if bytes.underestimatedCount > 2048 { outputs.reserveCapacity(16) }
        if bytes.withContiguousStorageIfAvailable({ feed($0, into: &outputs) }) == nil {
            Array(bytes).withUnsafeBufferPointer { feed($0, into: &outputs) }
        }
        return outputs
    }

    /// One read: whole lines are parsed where they lie, and a message that ends
    /// in the same read is copied once, at its end.
    private mutating func feed(_ input: UnsafeBufferPointer<UInt8>, into outputs: inout [Output]) {
        guard let base = input.baseAddress else { return }
        var start = 0
        while start < input.count {
            if skip != .off {
                start = skipToMessageEnd(input, from: start)
                continue
            }
            if !offsets.isEmpty, !inFollows, !skippingMessage, partialLine.isEmpty, !lineOverflowed {
                start = fieldLines(input, from: start)
                guard start < input.count else { break }
            }
            guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), input.count - start) else {
                keepPartial(UnsafeBufferPointer(rebasing: input[start...]))
                break
            }
            let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if partialLine.isEmpty, !lineOverflowed {
                if end - start > maxLineBytes {
                    lineTooLong(UnsafeBufferPointer(rebasing: input[start..<end]), into: &outputs)
                } else {
                    line(start..<end, in: input, into: &outputs)
                }
            } else {
                keepPartial(UnsafeBufferPointer(rebasing: input[start..<end]))
                let overflowed = lineOverflowed
                lineOverflowed = false
                partialLine.withUnsafeBufferPointer { kept in
                    if overflowed {
                        lineTooLong(kept, into: &outputs)
                    } else {
                        line(kept.indices, in: kept, carried: true, into: &outputs)
                    }
                }
                partialLine.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
        copyRegion(input)
    }

    /// The field lines of a message being read that lie whole in this read, from `start`: the
    /// common case, in one loop. Stops before any other line (blank, garbage, too long, cut by
    /// the end of the read, over the message limit), which `line` then handles; returns where.
    private mutating func fieldLines(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = input.baseAddress, region == nil || region?.upperBound == start else { return start }
        let regionStart = region?.lowerBound ?? start
        // Where a line of this read starts in the message's bytes, less its index in the read.
        let shift = copied.count - regionStart
        var start = start
        var messageBytes = self.messageBytes
        let maxLineBytes = self.maxLineBytes, maxMessageBytes = self.maxMessageBytes
        // Indices stay within the read and sizes within the limits (at most 1 GiB), so the
        // arithmetic below cannot overflow: it wraps instead of checking, for every line. When
        // the list's room runs out, the line is left to `line`, which grows it.
        offsets.withRoom { fields in
            while fields.hasRoom, let found = memchr(base + start, Int32(UInt8(ascii: "\n")), input.count &- start) {
                let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                var lineEnd = end
                if lineEnd > start, base[lineEnd &- 1] == UInt8(ascii: "\r") { lineEnd &-= 1 }
                let length = lineEnd &- start
                guard length > 0, end &- start <= maxLineBytes, messageBytes &+ length <= maxMessageBytes,
                      let colon = Self.keyEnd(UnsafeBufferPointer(start: base + start, count: length))
                else { break }
                var valueStart = colon &+ 1
                if valueStart < length, base[start &+ valueStart] == UInt8(ascii: " ") { valueStart &+= 1 }
                let lineStart = shift &+ start
                fields.append(
                    AMIFieldOffsets(
                        keyStart: UInt32(truncatingIfNeeded: lineStart), keyEnd: UInt32(truncatingIfNeeded: lineStart &+ colon),
                        valueStart: UInt32(truncatingIfNeeded: lineStart &+ valueStart),
                        valueEnd: UInt32(truncatingIfNeeded: lineStart &+ length)),
                    signature: AMIMessageStorage.signature(keyLength: colon, first: base[start]))
                messageBytes &+= length
                start = end &+ 1
            }
        }
        if start > regionStart { region = regionStart..<start }
        self.messageBytes = messageBytes
        return start
    }

    /// Scans a skipped event for its blank line from `start`; returns where scanning stopped
    /// (after the blank line, or the end of the read with the state kept for the next one).
    /// Sixteen bytes at a step while a window fits in the read (`skipBlockwise`), then one
    /// `memchr` per line and a look at the byte or two after it.
    private mutating func skipToMessageEnd(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = input.baseAddress else { return input.count }
        var index = start
        while true {
            if skip != .midLine, let stop = lineStartInSkippedEvent(input, at: &index) { return stop }
            if skip == .midLine, let stop = skipBlockwise(base, count: input.count, index: &index) {
                skip = .off
                return stop
            }
            guard let found = memchr(base + index, Int32(UInt8(ascii: "\n")), input.count - index) else { return input.count }
            index = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            skip = .lineStart
        }
    }

    /// From `index` inside a line with content of a skipped event: finds its blank line (a line
    /// feed followed by a line feed or by CR LF) sixteen bytes at a step, comparing two
    /// overlapping loads at once, without stopping at every line. A window's candidates are a
    /// line feed followed by a line feed or a CR; each is confirmed byte by byte (in a CR LF
    /// stream a line starts with a CR only when it is blank, so nearly every candidate is the
    /// end). Returns where the event ends when the blank line starts in a window that fits the
    /// read (each window also reads the two bytes after it); else moves `index` past the
    /// windows it checked. The state there is still "inside a line": a line feed or a line
    /// feed and CR just before it would start a blank line only with the bytes after them,
    /// which the last window checked.
    @inline(__always)
    private func skipBlockwise(_ base: UnsafePointer<UInt8>, count: Int, index: inout Int) -> Int? {
        let raw = UnsafeRawPointer(base)
        let lineFeed = SIMD16<UInt8>(repeating: UInt8(ascii: "\n"))
        let carriageReturn = SIMD16<UInt8>(repeating: UInt8(ascii: "\r"))
        var window = index
        let lastWindow = count &- 18
        while window <= lastWindow {
            let here = raw.loadUnaligned(fromByteOffset: window, as: SIMD16<UInt8>.self)
            let next = raw.loadUnaligned(fromByteOffset: window &+ 1, as: SIMD16<UInt8>.self)
            let candidates = (here .== lineFeed) .& ((next .== lineFeed) .| (next .== carriageReturn))
            if any(candidates) {
                for lane in 0..<16 where candidates[lane] {
                    let after = window &+ lane &+ 1
                    if base[after] == UInt8(ascii: "\n") { return after &+ 1 }
                    if base[after &+ 1] == UInt8(ascii: "\n") { return after &+ 2 }
                }
            }
            window &+= 16
        }
        index = window
        return nil
    }

    /// The start of a line in a skipped event (or the byte after its lone `\r`): where to stop
    /// when the line is blank (the event is over) or the read ends first; `nil` when it is a
    /// line with content, from `index` on.
    @inline(__always)
    private mutating func lineStartInSkippedEvent(_ input: UnsafeBufferPointer<UInt8>, at index: inout Int) -> Int? {
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\n") {
                skip = .off
                return index + 1
            }
            guard skip == .lineStart, byte == UInt8(ascii: "\r") else {
                skip = .midLine
                return nil
            }
            skip = .carriageReturn
            index += 1
        }
        return input.count
    }

    /// Keeps the start of a cut line, at most `maxLineBytes` (the rest of a longer one is dropped).
    private mutating func keepPartial(_ piece: UnsafeBufferPointer<UInt8>) {
        guard !lineOverflowed else { return }
        let room = maxLineBytes - partialLine.count
        if piece.count > room {
            partialLine.append(contentsOf: piece.prefix(room))
            lineOverflowed = true
        } else {
            partialLine.append(contentsOf: piece)
        }
    }

    private mutating func lineTooLong(_ line: UnsafeBufferPointer<UInt8>, into outputs: inout [Output]) {
        outputs.append(.garbage(AMIGarbage(.lineTooLong, excerpt: line)))
        dropMessage()
    }

    /// The complete line at `range` of `buffer` (without its line feed); `carried` when the
    /// buffer is the kept start of a cut line rather than the current read.
    private mutating func line(
        _ range: Range<Int>, in buffer: UnsafeBufferPointer<UInt8>, carried: Bool = false,
        into outputs: inout [Output]
    ) {
        var line = UnsafeBufferPointer(rebasing: buffer[range])
        if line.last == UInt8(ascii: "\r") { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        if inFollows {
            followsLine(line, range, in: buffer, carried: carried, into: &outputs)
        } else if line.isEmpty {
            endMessage(buffer, carried: carried, into: &outputs)
        } else if skippingMessage {
            return
        } else if offsets.isEmpty, let events, Self.isEventLine(line) {
            // `Event: ` as Asterisk writes it (what the general rules below read the same way):
            // an event the filter skips, most of the stream, ends here.
            if events.passes(UnsafeBufferPointer(rebasing: line[7...])) {
                add(range, colon: 5, value: 7..<line.count, lineBytes: line.count, in: buffer, carried: carried, into: &outputs)
            } else {
                skip = .lineStart
                skippedEvents += 1
            }
        } else if let colon = Self.keyEnd(line) {
            let value = Self.value(line, afterColon: colon)
            if offsets.isEmpty {
                // The first field says what the message is: an event to skip, or a `Follows` reply.
                let key = UnsafeBufferPointer(rebasing: line[..<colon])
                let text = UnsafeBufferPointer(rebasing: line[value])
                if let events, AMIBytes.equalsIgnoringCase(key, "Event"), !events.passes(text) {
                    skip = .lineStart
                    skippedEvents += 1
                    return
                }
                if AMIBytes.equalsIgnoringCase(key, "Response"), AMIBytes.equalsIgnoringCase(text, "Follows") {
                    inFollows = true
                }
            }
            add(range, colon: colon, value: value, lineBytes: line.count, in: buffer, carried: carried, into: &outputs)
        } else if offsets.isEmpty, AMIBytes.hasPrefix(line, Self.bannerPrefix) {
            let version = UnsafeBufferPointer(rebasing: line.dropFirst(Self.bannerPrefix.utf8.count))
            outputs.append(.banner(version: String(decoding: version, as: UTF8.self)))
        } else {
            outputs.append(.garbage(AMIGarbage(.notAField, excerpt: line)))
            if !carried { copyRegion(buffer) }  // garbage between fields is never copied
        }
    }

    /// A line of a `Response: Follows` reply: its headers, raw output, or the end marker.
    /// (Rare and small: output lines are strings, as the message keeps them.)
    private mutating func followsLine(
        _ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, in buffer: UnsafeBufferPointer<UInt8>,
        carried: Bool, into outputs: inout [Output]
    ) {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix(Self.endCommand) {
            let rest = String(text.dropLast(Self.endCommand.count))
            if !rest.isEmpty { appendOutput(rest, into: &outputs) }
            inFollows = false
            if skippingMessage {
                skippingMessage = false
            } else {
                outputs.append(.message(makeMessage(buffer, carried: carried)))
            }
            resetMessage()
        } else if output.isEmpty, let colon = Self.keyEnd(line),
            Self.followsHeaderKeys.contains(where: {
                AMIBytes.equalsIgnoringCase(UnsafeBufferPointer(rebasing: line[..<colon]), $0)
            })
        {
            add(range, colon: colon, value: Self.value(line, afterColon: colon), lineBytes: text.utf8.count, in: buffer,
                carried: carried, into: &outputs)
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

    /// Adds the field line at `range` of `buffer` (its key ends at `colon`, its value is at
    /// `value`, both relative to the line).
    private mutating func add(
        _ range: Range<Int>, colon: Int, value: Range<Int>, lineBytes: Int, in buffer: UnsafeBufferPointer<UInt8>,
        carried: Bool, into outputs: inout [Output]
    ) {
        messageBytes += lineBytes
        if messageBytes > maxMessageBytes {
            var line = UnsafeBufferPointer(rebasing: buffer[range])
            if line.last == UInt8(ascii: "\r") { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
            outputs.append(.garbage(AMIGarbage(.messageTooLarge, excerpt: line)))
            dropMessage()
            return
        }
        // Where the line starts in the message's bytes: after what was copied, then in the region.
        let lineStart: Int
        if carried {
            lineStart = copied.count
            copied.append(contentsOf: buffer[range])
            copied.append(UInt8(ascii: "\n"))
        } else {
            let regionStart = region?.lowerBound ?? range.lowerBound
            lineStart = copied.count + range.lowerBound - regionStart
            region = regionStart..<(range.upperBound + 1)
        }
        offsets.append(
            AMIFieldOffsets(
                keyStart: UInt32(truncatingIfNeeded: lineStart), keyEnd: UInt32(truncatingIfNeeded: lineStart + colon),
                valueStart: UInt32(truncatingIfNeeded: lineStart + value.lowerBound),
                valueEnd: UInt32(truncatingIfNeeded: lineStart + value.upperBound)),
            signature: AMIMessageStorage.signature(keyLength: colon, first: buffer[range.lowerBound]))
    }

    /// Copies the region's lines out of the read that holds them (it is about to go away).
    private mutating func copyRegion(_ input: UnsafeBufferPointer<UInt8>) {
        guard let range = region else { return }
        copied.append(contentsOf: input[range])
        region = nil
    }

    /// The message read so far, copied once into its own storage.
    private mutating func makeMessage(_ buffer: UnsafeBufferPointer<UInt8>, carried: Bool) -> AMIMessage {
        var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        if copied.isEmpty, let range = region, !carried {
            bytes = UnsafeBufferPointer(rebasing: buffer[range])  // all in this read: copied once, now
        } else if !carried {
            copyRegion(buffer)
        }
        let storage = offsets.withUnsafeBytes { offsets, signatures in
            bytes.baseAddress == nil
                ? copied.withUnsafeBufferPointer { AMIMessageStorage.make(offsets: offsets, signatures: signatures, bytes: $0) }
                : AMIMessageStorage.make(offsets: offsets, signatures: signatures, bytes: bytes)
        }
        return AMIMessage(storage, output: output)
    }

    private mutating func endMessage(_ buffer: UnsafeBufferPointer<UInt8>, carried: Bool, into outputs: inout [Output]) {
        if !skippingMessage, !offsets.isEmpty {
            outputs.append(.message(makeMessage(buffer, carried: carried)))
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
        offsets.removeAll()
        if !copied.isEmpty { copied.removeAll(keepingCapacity: copied.count <= 64 * 1024) }
        region = nil
        if !output.isEmpty { output.removeAll(keepingCapacity: false) }
        messageBytes = 0
    }

    /// The index of the colon ending the key of a `Key: Value` line, or `nil` when the line is
    /// not one; keys are tokens of letters, digits, `-`, `_` and `.`. Letters are checked eight
    /// at a time while they last (most keys are words), and the first other byte is found in
    /// the same step, so a key of letters ends without a byte-by-byte look at it; the rest
    /// (digits, `-`, `_`, `.`) byte by byte. Inlined: it runs for every field line.
    @inline(__always)
    static func keyEnd(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = line.baseAddress else { return nil }
        var index = 0
        while index + 8 <= line.count {
            let others = nonLetters(UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)))
            guard others == 0 else {
                index += others.trailingZeroBitCount >> 3  // the first byte that is no letter
                break
            }
            index += 8
        }
        while index < line.count {
            let byte = line[index]
            if byte == UInt8(ascii: ":") { return index == 0 ? nil : index }
            guard isKeyByte(byte) else { return nil }
            index += 1
        }
        return nil
    }

    /// Whether all eight bytes of `word` are ASCII letters.
    @inline(__always)
    static func allLetters(_ word: UInt64) -> Bool { nonLetters(word) == 0 }

    /// The high bit of each byte of `word` (first byte lowest) that is not an ASCII letter (SWAR:
    /// no carry crosses a byte, since each byte is at most 0x7F before the additions).
    @inline(__always)
    static func nonLetters(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits = 0x80 &* ones
        let folded = (word | (0x20 &* ones)) & (0x7F &* ones)  // upper case to lower; high bits apart
        let atLeastA = folded &+ ((0x80 - 0x61) &* ones)  // high bit set where the byte is 'a' or above
        let pastZ = folded &+ ((0x80 - 0x7B) &* ones)  // high bit set where the byte is above 'z'
        return ~(atLeastA & ~pastZ & ~word) & highBits
    }

    /// Where the value after the colon at `colon` lies in `line` (one separating space removed).
    private static func value(_ line: UnsafeBufferPointer<UInt8>, afterColon colon: Int) -> Range<Int> {
        var start = colon + 1
        if start < line.count, line[start] == UInt8(ascii: " ") { start += 1 }
        return start..<line.count
    }

    @inline(__always)
    private static func isKeyByte(_ byte: UInt8) -> Bool {
        if (byte | 0x20) &- UInt8(ascii: "a") < 26 { return true }  // letters, the usual case, first
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): return true
        default: return false
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
