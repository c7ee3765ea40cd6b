/// What the agent does when asked over the bus. The runtime implements it.
public protocol AgentControlHandler: Sendable {
    /// The agent's status as a JSON object (version, config path, PBX connection state, active calls).
    func status() async throws -> String
    /// Re-reads the configuration. Throw `DBusError` with code `.refused` and the
    /// configuration's errors to reject it; the old configuration must stay active.
    func reload() async throws
    /// Runs the on-click rule `rule` for the most recent live call.
    func open(rule: String) async throws
    /// Runs the on-click rule `rule` for the call `call` names: an id, `last` or
    /// `last-missed`, also when it is over (from the history).
    func open(rule: String, call: String) async throws
}

extension AgentControlHandler {
    /// Handlers without a call history open rules for live calls only.
    public func open(rule: String, call: String) async throws {
        throw DBusError(.refused, "this agent opens rules for its live calls only")
    }
}
