internal import CallPopDBus

/// The CLI side of the control interface: `callpop status|reload|open` talk to the
/// running agent over the session bus.
public enum AgentControlClient {
    /// A request that failed, with a message for the user.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// For the user.
        public var description: String
    }

    /// The running agent's status JSON.
    public static func status() async throws(Failure) -> String {
        do { return try await AgentBusClient.connect().status() } catch { throw Failure(description: error.message) }
    }

    /// Asks the running agent to re-read its configuration.
    public static func reload() async throws(Failure) {
        do { try await AgentBusClient.connect().reload() } catch { throw Failure(description: error.message) }
    }

    /// Asks the running agent to open `rule` for its most recent live call.
    public static func open(rule: String) async throws(Failure) {
        do { try await AgentBusClient.connect().open(rule: rule) } catch { throw Failure(description: error.message) }
    }
}
