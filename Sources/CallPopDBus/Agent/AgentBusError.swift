/// Why the agent's bus service or a client of it failed.
public struct AgentBusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Hashable {
        /// Another agent owns `io.github.callpop.Agent`.
        case alreadyRunning
        /// No agent runs on this session bus.
        case notRunning
        /// The agent refused the request (bad configuration, unknown rule); `message` says why.
        case refused
        /// The bus itself failed (no session bus, disconnected, timeout).
        case bus
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, for the user.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
