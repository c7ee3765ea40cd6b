/// What the agent does when asked over the bus. The runtime implements it.
public protocol AgentControlHandler: Sendable {
    /// The agent's status as a JSON object (version, config path, PBX connection state, active calls).
    func status() async throws -> String
    /// Re-reads the configuration. Throw `DBusError` with code `.refused` and the
    /// configuration's errors to reject it; the old configuration must stay active.
    func reload() async throws
    /// Runs the on-click rule `rule` for the most recent live call.
    func open(rule: String) async throws
    /// Places a call to `number` (a number or a `tel:`/`callto:`/`sip:` URI, already
    /// confirmed by the caller) and returns the result as JSON. Throw `DBusError` with code
    /// `.refused` when it is refused before anything is placed (bad number, deny rule).
    func dial(_ number: String) async throws -> String
}

extension AgentControlHandler {
    /// Handlers that cannot place calls refuse.
    public func dial(_ number: String) async throws -> String {
        throw DBusError(.refused, "this agent does not place calls")
    }
}
