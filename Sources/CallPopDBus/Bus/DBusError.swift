/// A failure talking D-Bus or to the agent over it, with a message a user can act on:
/// the one error type of `CallPopDBus`.
public struct DBusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure it is.
    public enum Code: Sendable, Hashable {
        /// No bus could be reached (no session bus, bad address).
        case connectionFailed
        /// The connection to the bus was lost or closed.
        case disconnected
        /// The peer answered with a D-Bus error; `name` holds its error name.
        case remote
        /// No reply arrived in time.
        case timeout
        /// A name, path or value cannot be sent on D-Bus.
        case invalidArgument
        /// A reply did not have the expected arguments.
        case unexpectedReply
        /// libdbus ran out of memory.
        case outOfMemory
        /// Another agent owns `io.github.callpop.Agent`.
        case alreadyRunning
        /// No agent (or no desktop portal) runs on this bus.
        case notRunning
        /// The agent or the portal refused the request; `message` says why.
        case refused
        /// The user cancelled (the portal's application chooser).
        case cancelled
    }

    /// What kind of failure it is.
    public var code: Code
    /// The D-Bus error name, such as `org.freedesktop.DBus.Error.ServiceUnknown`, when there is one.
    public var name: String?
    /// What went wrong, in words.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, name: String? = nil, _ message: String) {
        self.code = code
        self.name = name
        self.message = message
    }

    /// The message, with the D-Bus error name when there is one.
    public var description: String {
        if let name { "\(message) (\(name))" } else { message }
    }

    /// Well-known error names of the bus daemon.
    public enum Names {
        /// Nobody owns the destination name and it cannot be activated.
        public static let serviceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown"
        /// The name has no owner (`GetNameOwner`).
        public static let nameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner"
        /// No reply came before the timeout.
        public static let noReply = "org.freedesktop.DBus.Error.NoReply"
        /// The method does not exist on the object.
        public static let unknownMethod = "org.freedesktop.DBus.Error.UnknownMethod"
        /// Wrong arguments to a method.
        public static let invalidArgs = "org.freedesktop.DBus.Error.InvalidArgs"
        /// A generic failure.
        public static let failed = "org.freedesktop.DBus.Error.Failed"
        /// The connection was lost.
        public static let disconnected = "org.freedesktop.DBus.Error.Disconnected"
    }
}
