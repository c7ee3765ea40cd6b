/// Writes one JSON object with keys in the order given: stable output for logs,
/// D-Bus signals and golden tests, without a general-purpose encoder.
///
/// A decision line is written for every decision on the event path, so the object is built
/// as UTF-8 in one buffer written through a pointer: each member costs a scan (eight bytes at
/// a time) and a copy, not an append per character.
public struct JSONObjectWriter: Sendable {
    /// Room for a decision line whatever its escapes (each member reserves six bytes per byte).
    private var buffer = [UInt8](repeating: 0, count: 2048)
    private var count = 0

    /// Starts an empty object.
    public init() {}

    /// Adds a string member.
    public mutating func add(_ key: String, _ value: String) {
        Self.withUTF8(value) { value in member(key, valueBytes: Self.quotedSize(value)) { Self.writeQuoted(value, at: $0) } }
    }

    /// Adds a string member when `value` is not nil.
    public mutating func add(_ key: String, ifPresent value: String?) {
        if let value { add(key, value) }
    }

    /// Adds a Boolean member.
    public mutating func add(_ key: String, _ value: Bool) {
        add(key, rawJSON: value ? "true" : "false")
    }

    /// Adds an integer member.
    public mutating func add(_ key: String, _ value: Int) {
        add(key, rawJSON: String(value))
    }

    /// Adds an array of strings.
    public mutating func add(_ key: String, _ values: [String]) {
        add(key, rawJSON: "[")
        for (i, value) in values.enumerated() {
            Self.withUTF8(value) { value in
                write(Self.quotedSize(value) + 1) { out in
                    var at = out
                    if i > 0 { at.pointee = UInt8(ascii: ","); at += 1 }
                    return out.distance(to: Self.writeQuoted(value, at: at))
                }
            }
        }
        write(1) { $0.pointee = UInt8(ascii: "]"); return 1 }
    }

    /// Adds a member whose value is already JSON.
    public mutating func add(_ key: String, rawJSON: String) {
        Self.withUTF8(rawJSON) { raw in
            member(key, valueBytes: raw.count) { out in
                if let source = raw.baseAddress { out.initialize(from: source, count: raw.count) }
                return out + raw.count
            }
        }
    }

    /// The finished object.
    public var json: String {
        buffer.withUnsafeBufferPointer { bytes in
            String(unsafeUninitializedCapacity: count + 2) { out in
                out[0] = UInt8(ascii: "{")
                if let source = bytes.baseAddress, count > 0 { (out.baseAddress! + 1).initialize(from: source, count: count) }
                out[count + 1] = UInt8(ascii: "}")
                return count + 2
            }
        }
    }

    /// Writes `,"key":` and then the value, which `body` writes at the pointer it gets (at most
    /// `valueBytes` bytes), returning where it stopped.
    private mutating func member(
        _ key: String, valueBytes: Int, _ body: (UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>
    ) {
        let separated = count > 0
        Self.withUTF8(key) { key in
            write(Self.quotedSize(key) + 2 + valueBytes) { out in
                var at = out
                if separated { at.pointee = UInt8(ascii: ","); at += 1 }
                at = Self.writeQuoted(key, at: at)
                at.pointee = UInt8(ascii: ":")
                return out.distance(to: body(at + 1))
            }
        }
    }

    /// Runs `body` on room for at least `bytes` bytes after the object so far; it returns how many it wrote.
    private mutating func write(_ bytes: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if count + bytes > buffer.count { buffer += repeatElement(0, count: max(count + bytes - buffer.count, buffer.count)) }
        let start = count
        count += buffer.withUnsafeMutableBufferPointer { body($0.baseAddress! + start) }
    }

    private static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Appends `value` as a JSON string literal, escaping quotes, backslashes and controls.
    public static func appendString(_ value: String, to out: inout String) {
        out += withUTF8(value) { value in
            String(unsafeUninitializedCapacity: quotedSize(value)) { buffer in
                buffer.baseAddress!.distance(to: writeQuoted(value, at: buffer.baseAddress!))
            }
        }
    }

    /// At most how many bytes `value` takes as a JSON string literal (every byte escaped, and the quotes).
    private static func quotedSize(_ value: UnsafeBufferPointer<UInt8>) -> Int { 6 * value.count + 2 }

    /// Writes `value` as a JSON string literal at `out`; returns where it stopped.
    ///
    /// Nearly every value (ids, numbers, names, URLs) needs no escape, and the scan that proves
    /// it reads eight bytes at a time; runs between escapes are copied in one go.
    private static func writeQuoted(_ value: UnsafeBufferPointer<UInt8>, at out: UnsafeMutablePointer<UInt8>)
        -> UnsafeMutablePointer<UInt8>
    {
        var at = out
        at.pointee = UInt8(ascii: "\"")
        at += 1
        if let base = value.baseAddress {
            var start = 0
            var index = 0
            while index < value.count {
                // Eight bytes at a time while nothing needs a look; the last word ends at the end
                // of the value (overlapping bytes already checked, which is harmless).
                if value.count >= 8 {
                    let at = min(index, value.count - 8)
                    if !mayNeedEscape(UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self)) {
                        index = at + 8
                        continue
                    }
                }
                // Only ASCII needs escapes, plus U+2028/U+2029 (UTF-8 E2 80 A8/A9), which end a line in JavaScript.
                let byte = value[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xE2,
                      let escape = escapeSequence(UnsafeBufferPointer(rebasing: value[index...]))
                else {
                    index += 1
                    continue
                }
                at.initialize(from: base + start, count: index - start)
                at += index - start
                for byte in escape.text.utf8 {
                    at.pointee = byte
                    at += 1
                }
                index += escape.length
                start = index
            }
            at.initialize(from: base + start, count: value.count - start)
            at += value.count - start
        }
        at.pointee = UInt8(ascii: "\"")
        return at + 1
    }

    /// Whether any of the eight bytes of `word` may need an escape: a control, `"`, `\`, DEL or
    /// a non-ASCII byte (SWAR; a false alarm only sends those bytes to the exact check).
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high = 0x80 &* ones
        func hasZero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & high }
        let controls = (word &- 0x20 &* ones) & ~word & high
        return (controls | hasZero(word ^ (0x22 &* ones)) | hasZero(word ^ (0x5C &* ones))
            | hasZero(word ^ (0x7F &* ones)) | (word & high)) != 0
    }

    /// The escape for the bytes at the start of `bytes` and how many bytes it replaces, or nil
    /// when they are written as they are.
    private static func escapeSequence(_ bytes: UnsafeBufferPointer<UInt8>) -> (text: String, length: Int)? {
        guard let byte = bytes.first else { return nil }
        switch byte {
        case 0x22: return ("\\\"", 1)
        case 0x5C: return ("\\\\", 1)
        case 0x0A: return ("\\n", 1)
        case 0x0D: return ("\\r", 1)
        case 0x09: return ("\\t", 1)
        case 0xE2:
            guard bytes.count >= 3, bytes[1] == 0x80, bytes[2] == 0xA8 || bytes[2] == 0xA9 else { return nil }
            return (bytes[2] == 0xA8 ? "\\u2028" : "\\u2029", 3)
        default:
            let hex = String(byte, radix: 16)
            return ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex, 1)
        }
    }
}
