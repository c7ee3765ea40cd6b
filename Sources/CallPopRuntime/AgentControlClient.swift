public import CallPopDBus

/// The CLI side of the control interface: `callpop status|reload|open` talk to the
/// running agent over the session bus. Failures are `DBusError`s: `.notRunning` when no
/// agent runs, `.refused` with the agent's reason, others for the bus itself.
public enum AgentControlClient {
    /// The running agent's status JSON.
    public static func status() async throws(DBusError) -> String {
        try await AgentBusClient.connect().status()
    }

    /// Asks the running agent to re-read its configuration.
    public static func reload() async throws(DBusError) {
        try await AgentBusClient.connect().reload()
    }

    /// Asks the running agent to open `rule` for its most recent live call.
    public static func open(rule: String) async throws(DBusError) {
        try await AgentBusClient.connect().open(rule: rule)
    }

    /// Asks the running agent to open `rule` for the call `call` names (id, `last`, `last-missed`).
    public static func open(rule: String, call: String) async throws(DBusError) {
        try await AgentBusClient.connect().open(rule: rule, call: call)
    }
}
