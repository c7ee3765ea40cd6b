#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One AMI message: an event, a response, or (from the test server's side) an action.
///
/// AMI messages are ordered `Key: Value` lines ended by an empty line. Keys
/// repeat in some messages (`Variable`, `Output`), so the fields stay an
/// ordered list; lookups are case-insensitive because Asterisk's own parser is.
///
/// Stored as the received bytes plus field offsets, in one allocation per
/// message whatever its size; strings are decoded only for the fields asked
/// for, so skipping an event costs no string at all.
public struct AMIMessage: Sendable, Hashable {
    /// One `Key: Value` line.
    public struct Field: Sendable, Hashable {
        /// The key, as sent.
        public var key: String
        /// The value, as sent (one separating space removed).
        public var value: String

        /// Creates a field.
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    private var storage: AMIMessageStorage
    /// The raw output lines of a `Response: Follows` command reply (before `--END COMMAND--`).
    public var output: [String]

    /// Creates a message from its fields.
    public init(_ fields: [Field], output: [String] = []) {
        var bytes: [UInt8] = []
        var offsets: [UInt32] = []
        for field in fields {
            for text in [field.key, field.value] {
                offsets.append(UInt32(truncatingIfNeeded: bytes.count))
                bytes += text.utf8
                offsets.append(UInt32(truncatingIfNeeded: bytes.count))
            }
        }
        let storage = offsets.withUnsafeBytes { offsets in
            bytes.withUnsafeBufferPointer { AMIMessageStorage.make(offsets: offsets, bytes: $0) }
        }
        self.init(storage, output: output)
    }

    /// Creates a message from `(key, value)` pairs.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(pairs.map { Field($0.key, $0.value) })
    }

    /// A message of `storage` (which the framer makes from its buffers).
    init(_ storage: AMIMessageStorage, output: [String] = []) {
        self.storage = storage
        self.output = output
    }

    /// The fields in the order they arrived (decoded on each call; prefer the subscript).
    public var fields: [Field] {
        get { (0..<storage.fieldCount).map { Field(string($0, part: 0), string($0, part: 1)) } }
        set { self = AMIMessage(newValue, output: output) }
    }

    /// The value of the first field named `key` (case-insensitive), or `nil`.
    public subscript(key: String) -> String? {
        field(named: key).map { string($0, part: 1) }
    }

    /// All values of the fields named `key`, in order.
    public func values(_ key: String) -> [String] {
        (0..<storage.fieldCount).filter { keyMatches($0, key) }.map { string($0, part: 1) }
    }

    /// The `Event` name, when this is an event.
    public var event: String? { self["Event"] }
    /// The `Response` status (`Success`, `Error`, `Follows`, `Goodbye`), when this is a response.
    public var response: String? { self["Response"] }
    /// The `ActionID` that ties a response (or a list event) to its action.
    public var actionID: String? { self["ActionID"] }

    /// Whether the first field is `Event` (as in every event Asterisk sends).
    var startsWithEvent: Bool { storage.fieldCount > 0 && keyMatches(0, "Event") }

    /// `true` when the message is the event named `name` (case-insensitive).
    public func isEvent(_ name: String) -> Bool {
        withValue("Event") { $0.map { AMIBytes.equalsIgnoringCase($0, name) } ?? false }
    }

    /// Calls `body` with the raw value of the first field named `key`, or `nil` when absent
    /// (byte-level access: no string is made).
    func withValue<R>(_ key: String, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard let index = field(named: key) else { return body(nil) }
        return storage.withBytes(storage.range(field: index, part: 1)) { body($0) }
    }

    private func field(named key: String) -> Int? {
        var key = key  // a literal: contiguous, so this copies nothing
        return key.withUTF8 { storage.firstField(named: $0) }
    }

    /// Whether the value of the first field named `key` satisfies `predicate` (false when absent).
    func value(_ key: String, satisfies predicate: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        withValue(key) { $0.map(predicate) ?? false }
    }

    /// Whether the value of the first field named `key` is `text`, ignoring ASCII case.
    func value(_ key: String, equalsIgnoringCase text: String) -> Bool {
        withValue(key) { $0.map { AMIBytes.equalsIgnoringCase($0, text) } ?? false }
    }

    private func keyMatches(_ index: Int, _ key: String) -> Bool {
        let range = storage.range(field: index, part: 0)
        guard range.count == key.utf8.count else { return false }  // most keys differ in length
        return storage.withBytes(range) { AMIBytes.equalsIgnoringCase($0, key) }
    }

    private func string(_ index: Int, part: Int) -> String {
        storage.withBytes(storage.range(field: index, part: part)) { String(decoding: $0, as: UTF8.self) }
    }

    /// Equal when the fields (keys and values, byte for byte) and the output are.
    public static func == (lhs: AMIMessage, rhs: AMIMessage) -> Bool {
        guard lhs.storage.fieldCount == rhs.storage.fieldCount, lhs.output == rhs.output else { return false }
        for index in 0..<lhs.storage.fieldCount {
            for part in 0...1 {
                let same = lhs.storage.withBytes(lhs.storage.range(field: index, part: part)) { left in
                    rhs.storage.withBytes(rhs.storage.range(field: index, part: part)) { left.elementsEqual($0) }
                }
                guard same else { return false }
            }
        }
        return true
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.fieldCount)
        for index in 0..<storage.fieldCount {
            for part in 0...1 {
                storage.withBytes(storage.range(field: index, part: part)) { bytes in
                    hasher.combine(bytes.count)
                    hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
                }
            }
        }
        hasher.combine(output)
    }
}

/// ASCII case-insensitive comparisons on raw bytes; AMI keys and event names are ASCII.
enum AMIBytes {
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// `bytes` equals `text`, ignoring ASCII case (inlined: the length test against a literal
    /// rejects most candidates before any call).
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        guard bytes.count == text.utf8.count else { return false }
        return text.utf8.withContiguousStorageIfAvailable { equalsIgnoringCase(bytes, $0) }
            ?? bytes.elementsEqual(text.utf8) { lower($0) == lower($1) }
    }

    /// `left` equals `right`, ignoring ASCII case (byte for byte first: Asterisk spells keys
    /// as the code does, so that nearly always settles it).
    static func equalsIgnoringCase(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        if let a = left.baseAddress, let b = right.baseAddress, memcmp(a, b, left.count) == 0 { return true }
        for index in left.indices where lower(left[index]) != lower(right[index]) { return false }
        return true
    }

    /// `left` and `right` hold the same bytes.
    static func equal(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        guard let a = left.baseAddress, let b = right.baseAddress else { return true }
        return memcmp(a, b, left.count) == 0
    }

    /// `bytes` are the UTF-8 of `text`, byte for byte.
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        guard bytes.count == text.utf8.count else { return false }
        var text = text
        return text.withUTF8 { equal(bytes, $0) }
    }

    /// `bytes` starts with `text`, case-sensitively.
    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        bytes.count >= text.utf8.count && zip(bytes, text.utf8).allSatisfy { $0 == $1 }
    }
}

extension String {
    /// ASCII case-insensitive equality; AMI keys and event names are ASCII.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { AMIBytes.lower($0) == AMIBytes.lower($1) }
    }
}
