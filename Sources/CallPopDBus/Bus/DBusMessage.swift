/// One D-Bus message as a plain value: what libdbus received, or what to send.
///
/// The C message never leaves the connection's thread; this copy does.
public struct DBusMessage: Sendable, Hashable {
    /// The four message types of the D-Bus protocol.
    public enum Kind: Sendable, Hashable {
        /// A call that may expect a reply.
        case methodCall
        /// A successful reply.
        case methodReturn
        /// An error reply.
        case error
        /// A broadcast or unicast signal.
        case signal
    }

    /// The message type.
    public var kind: Kind
    /// The object path (calls and signals).
    public var path: String?
    /// The interface (calls and signals).
    public var interface: String?
    /// The method or signal name.
    public var member: String?
    /// The error name (errors only).
    public var errorName: String?
    /// Where the message goes; `nil` broadcasts a signal.
    public var destination: String?
    /// The unique name of the sender, set on received messages.
    public var sender: String?
    /// The serial of a received message.
    public var serial: UInt32
    /// For replies and errors: the serial of the call answered.
    public var replySerial: UInt32
    /// The body.
    public var arguments: [DBusValue]

    /// Creates a message of any kind; prefer the static constructors.
    public init(
        kind: Kind, path: String? = nil, interface: String? = nil, member: String? = nil,
        errorName: String? = nil, destination: String? = nil, sender: String? = nil,
        serial: UInt32 = 0, replySerial: UInt32 = 0, arguments: [DBusValue] = []
    ) {
        self.kind = kind
        self.path = path
        self.interface = interface
        self.member = member
        self.errorName = errorName
        self.destination = destination
        self.sender = sender
        self.serial = serial
        self.replySerial = replySerial
        self.arguments = arguments
    }

    /// A method call to `destination`.
    public static func methodCall(
        destination: String, path: String, interface: String, member: String, arguments: [DBusValue] = []
    ) -> DBusMessage {
        DBusMessage(
            kind: .methodCall, path: path, interface: interface, member: member, destination: destination,
            arguments: arguments)
    }

    /// A signal, broadcast unless `destination` is given.
    public static func signal(
        path: String, interface: String, member: String, arguments: [DBusValue] = [], destination: String? = nil
    ) -> DBusMessage {
        DBusMessage(
            kind: .signal, path: path, interface: interface, member: member, destination: destination,
            arguments: arguments)
    }

    /// The successful reply to this call.
    public func methodReturn(_ arguments: [DBusValue] = []) -> DBusMessage {
        DBusMessage(kind: .methodReturn, destination: sender, replySerial: serial, arguments: arguments)
    }

    /// The error reply to this call, with a human-readable message.
    public func errorReply(name: String, message: String) -> DBusMessage {
        DBusMessage(
            kind: .error, errorName: name, destination: sender, replySerial: serial, arguments: [.string(message)])
    }

    /// The D-Bus signature of the body.
    public var signature: String { arguments.map(\.signature).joined() }
}
