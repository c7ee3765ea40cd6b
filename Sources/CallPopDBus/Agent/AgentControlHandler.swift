/// What the agent does when asked over the bus. The runtime implements it.
public protocol AgentControlHandler: Sendable {
    /// The agent's status as a JSON object (version, config path, PBX connection state, active calls).
    func status() async throws -> String
    /// Re-reads the configuration. Throw `DBusError` with code `.refused` and the
    /// configuration's errors to reject it; the old configuration must stay active.
    func reload() async throws
    /// Runs the on-click rule `rule` for the most recent live call.
    func open(rule: String) async throws
}
