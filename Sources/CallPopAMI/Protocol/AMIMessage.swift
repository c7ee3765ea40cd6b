/// One AMI message: an event, a response, or (from the test server's side) an action.
///
/// AMI messages are ordered `Key: Value` lines ended by an empty line. Keys
/// repeat in some messages (`Variable`, `Output`), so the fields stay an
/// ordered list; lookups are case-insensitive because Asterisk's own parser is.
///
/// Stored as the raw bytes of its keys and values back to back plus their end
/// offsets (two allocations per message, whatever its size); strings are
/// decoded only for the fields asked for, so skipping an event costs no string.
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

    /// Keys and values back to back: field `i` is `bytes[ends[2i-1] ..< ends[2i]]` (key)
    /// then `bytes[ends[2i] ..< ends[2i+1]]` (value), the first starting at 0.
    /// One canonical layout per field list, so the synthesized `==` compares fields.
    private var bytes: [UInt8]
    private var ends: [UInt32]
    /// The raw output lines of a `Response: Follows` command reply (before `--END COMMAND--`).
    public var output: [String]

    /// Creates a message from its fields.
    public init(_ fields: [Field], output: [String] = []) {
        var builder = Builder()
        for field in fields { builder.append(key: Array(field.key.utf8), value: Array(field.value.utf8)) }
        self.init(builder, output: output)
    }

    /// Creates a message from `(key, value)` pairs.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(pairs.map { Field($0.key, $0.value) })
    }

    /// Copies the message `builder` holds (exactly sized, so the builder's buffers are reused).
    init(_ builder: Builder, output: [String] = []) {
        bytes = Self.exactCopy(builder.bytes)
        ends = Self.exactCopy(builder.ends)
        self.output = output
    }

    private static func exactCopy<T: BitwiseCopyable>(_ array: [T]) -> [T] {
        array.withUnsafeBufferPointer { source in
            [T](unsafeUninitializedCapacity: source.count) { target, count in
                if let base = source.baseAddress { target.baseAddress?.initialize(from: base, count: source.count) }
                count = source.count
            }
        }
    }

    /// The fields in the order they arrived (decoded on each call; prefer the subscript).
    public var fields: [Field] {
        get { (0..<ends.count / 2).map { Field(string(keyRange($0)), string(valueRange($0))) } }
        set { self = AMIMessage(newValue, output: output) }
    }

    /// The value of the first field named `key` (case-insensitive), or `nil`.
    public subscript(key: String) -> String? {
        valueRange(of: key).map(string)
    }

    /// All values of the fields named `key`, in order.
    public func values(_ key: String) -> [String] {
        (0..<ends.count / 2).filter { keyMatches($0, key) }.map { string(valueRange($0)) }
    }

    /// The `Event` name, when this is an event.
    public var event: String? { self["Event"] }
    /// The `Response` status (`Success`, `Error`, `Follows`, `Goodbye`), when this is a response.
    public var response: String? { self["Response"] }
    /// The `ActionID` that ties a response (or a list event) to its action.
    public var actionID: String? { self["ActionID"] }

    /// `true` when the message is the event named `name` (case-insensitive).
    public func isEvent(_ name: String) -> Bool {
        guard let range = valueRange(of: "Event") else { return false }
        return bytes.withUnsafeBufferPointer { AMIBytes.equalsIgnoringCase(.init(rebasing: $0[range]), name) }
    }

    // MARK: - Byte-level access (no string is made)

    /// Where the value of the first field named `key` (case-insensitive) lies in the bytes.
    func valueRange(of key: String) -> Range<Int>? {
        for index in 0..<ends.count / 2 where keyMatches(index, key) { return valueRange(index) }
        return nil
    }

    /// Calls `body` with the raw value of the first field named `key`, or `nil` when absent.
    func withValue<R>(_ key: String, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard let range = valueRange(of: key) else { return body(nil) }
        return bytes.withUnsafeBufferPointer { body(.init(rebasing: $0[range])) }
    }

    private func keyRange(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : Int(ends[2 * index - 1]))..<Int(ends[2 * index])
    }

    private func valueRange(_ index: Int) -> Range<Int> {
        Int(ends[2 * index])..<Int(ends[2 * index + 1])
    }

    private func keyMatches(_ index: Int, _ key: String) -> Bool {
        let range = keyRange(index)
        guard range.count == key.utf8.count else { return false }  // most keys differ in length
        return bytes.withUnsafeBufferPointer { AMIBytes.equalsIgnoringCase(.init(rebasing: $0[range]), key) }
    }

    private func string(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// Collects one message's fields in reusable buffers (the framer keeps one).
    struct Builder: Sendable {
        private(set) var bytes: [UInt8] = []
        private(set) var ends: [UInt32] = []

        var isEmpty: Bool { ends.isEmpty }

        mutating func append(key: some Collection<UInt8>, value: some Collection<UInt8>) {
            bytes.append(contentsOf: key)
            ends.append(UInt32(truncatingIfNeeded: bytes.count))
            bytes.append(contentsOf: value)
            ends.append(UInt32(truncatingIfNeeded: bytes.count))
        }

        mutating func removeAll() {
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }
    }
}

/// ASCII case-insensitive comparisons on raw bytes; AMI keys and event names are ASCII.
enum AMIBytes {
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// `bytes` equals `text`, ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        guard bytes.count == text.utf8.count else { return false }
        return hasPrefixIgnoringCase(bytes, text)
    }

    /// `bytes` starts with `text`, case-sensitively.
    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        bytes.count >= text.utf8.count && zip(bytes, text.utf8).allSatisfy { $0 == $1 }
    }

    /// `bytes` starts with `text`, ignoring ASCII case.
    static func hasPrefixIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        guard bytes.count >= text.utf8.count else { return false }
        var index = 0
        for byte in text.utf8 {
            guard lower(bytes[index]) == lower(byte) else { return false }
            index += 1
        }
        return true
    }
}

extension String {
    /// ASCII case-insensitive equality; AMI keys and event names are ASCII.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { AMIBytes.lower($0) == AMIBytes.lower($1) }
    }
}
