/// One AMI message: an event, a response, or (from the test server's side) an action.
///
/// AMI messages are ordered `Key: Value` lines ended by an empty line. Keys
/// repeat in some messages (`Variable`, `Output`), so the fields stay an
/// ordered list; lookups are case-insensitive because Asterisk's own parser is.
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

    /// The fields in the order they arrived.
    public var fields: [Field]
    /// The raw output lines of a `Response: Follows` command reply (before `--END COMMAND--`).
    public var output: [String]

    /// Creates a message from its fields.
    public init(_ fields: [Field], output: [String] = []) {
        self.fields = fields
        self.output = output
    }

    /// Creates a message from `(key, value)` pairs.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(pairs.map { Field($0.key, $0.value) })
    }

    /// The value of the first field named `key` (case-insensitive), or `nil`.
    public subscript(key: String) -> String? {
        fields.first { $0.key.caseInsensitiveEquals(key) }?.value
    }

    /// All values of the fields named `key`, in order.
    public func values(_ key: String) -> [String] {
        fields.filter { $0.key.caseInsensitiveEquals(key) }.map(\.value)
    }

    /// The `Event` name, when this is an event.
    public var event: String? { self["Event"] }
    /// The `Response` status (`Success`, `Error`, `Follows`, `Goodbye`), when this is a response.
    public var response: String? { self["Response"] }
    /// The `ActionID` that ties a response (or a list event) to its action.
    public var actionID: String? { self["ActionID"] }

    /// `true` when the message is the event named `name` (case-insensitive).
    public func isEvent(_ name: String) -> Bool {
        event?.caseInsensitiveEquals(name) ?? false
    }
}

extension String {
    /// ASCII case-insensitive equality; AMI keys and event names are ASCII.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}
