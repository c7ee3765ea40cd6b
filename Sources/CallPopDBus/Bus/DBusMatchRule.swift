/// A match rule for signals, as given to the bus's `AddMatch`.
public struct DBusMatchRule: Sendable, Hashable {
    /// The sender: a well-known or unique name. The bus resolves well-known names,
    /// so the local check only compares unique names.
    public var sender: String?
    /// The object path.
    public var path: String?
    /// The interface.
    public var interface: String?
    /// The signal name.
    public var member: String?
    /// The first argument, when it is a string.
    public var arg0: String?

    /// Creates a rule; `nil` fields match anything.
    public init(
        sender: String? = nil, path: String? = nil, interface: String? = nil, member: String? = nil,
        arg0: String? = nil
    ) {
        self.sender = sender
        self.path = path
        self.interface = interface
        self.member = member
        self.arg0 = arg0
    }

    /// The rule in the bus's text syntax.
    public var text: String {
        var parts = ["type='signal'"]
        let fields: [(String, String?)] = [
            ("sender", sender), ("path", path), ("interface", interface), ("member", member), ("arg0", arg0),
        ]
        for case let (key, value?) in fields {
            parts.append("\(key)=\(Self.quote(value))")
        }
        return parts.joined(separator: ",")
    }

    /// Whether a received signal matches, as far as can be told locally.
    public func matches(_ message: DBusMessage) -> Bool {
        guard message.kind == .signal else { return false }
        if let sender, sender.hasPrefix(":"), message.sender != sender { return false }
        // Signals "from the bus" (NameOwnerChanged) must really come from it: any client can
        // send a unicast signal to us that the match rule would not have filtered.
        if sender == "org.freedesktop.DBus", message.sender != sender { return false }
        if let path, message.path != path { return false }
        if let interface, message.interface != interface { return false }
        if let member, message.member != member { return false }
        if let arg0, message.arguments.first?.string != arg0 { return false }
        return true
    }

    /// Quotes a value: the match syntax has no escapes inside quotes, so an
    /// apostrophe closes the quote, is escaped, and reopens it.
    private static func quote(_ value: String) -> String {
        "'" + value.map { $0 == "'" ? "'\\''" : String($0) }.joined() + "'"
    }
}
