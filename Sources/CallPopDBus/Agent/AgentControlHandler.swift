/// What the agent does when asked over the bus. The runtime implements it.
public protocol AgentControlHandler: Sendable {
    /// The agent's status as a JSON object (version, config path, PBX connection state, active calls).
    func status() async throws -> String
    /// Re-reads the configuration. Throw `AgentCommandError` with the
    /// configuration's errors to reject it; the old configuration must stay active.
    func reload() async throws
    /// Runs the on-click rule `rule` for the most recent live call.
    func open(rule: String) async throws
}

/// A refusal the agent sends back to the caller, with a message for the user.
///
/// Handlers may throw any error; this one's message is sent as is, others are
/// sent as their description.
public struct AgentCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for example every configuration error, one per line.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
