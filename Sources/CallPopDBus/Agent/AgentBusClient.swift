/// Talks to a running agent: what `callpop status|reload|open RULE` use.
public struct AgentBusClient: Sendable {
    private let connection: DBusConnection

    /// A client over `connection`.
    public init(connection: DBusConnection) {
        self.connection = connection
    }

    /// Connects to `bus` (the session bus by default) and returns a client.
    /// - Throws: `DBusError` `.connectionFailed` when there is no session bus.
    public static func connect(to bus: DBusBus = .session) async throws(DBusError) -> AgentBusClient {
        return AgentBusClient(connection: try await DBusConnection.connect(to: bus))
    }

    /// The agent's status JSON.
    public func status() async throws(DBusError) -> String {
        let reply = try await call("Status")
        guard let json = reply.arguments.first?.string else {
            throw DBusError(.unexpectedReply, "the agent answered Status without a status text")
        }
        return json
    }

    /// Asks the agent to re-read its configuration.
    /// - Throws: `.refused` with the configuration errors when the new one is bad.
    public func reload() async throws(DBusError) {
        _ = try await call("Reload")
    }

    /// Asks the agent to run on-click rule `rule` for the most recent live call.
    public func open(rule: String) async throws(DBusError) {
        _ = try await call("Open", [.string(rule)])
    }

    /// Asks the agent to run on-click rule `rule` for the call `call` names (id, `last`, `last-missed`).
    public func open(rule: String, call: String) async throws(DBusError) {
        _ = try await self.call("OpenCall", [.string(rule), .string(call)])
    }

    /// Asks the agent to place a call to `number`; the result once known.
    /// - Throws: `.refused` with the reason when the number is refused; `.notRunning`.
    public func dial(_ number: String, timeout: Duration) async throws(DBusError) -> AgentDialReply {
        let reply = try await call("Dial", [.string(number)], timeout: timeout)
        guard let result = AgentDialReply(reply.arguments) else {
            throw DBusError(.unexpectedReply, "the agent answered Dial with \(reply.signature), not (bssss)")
        }
        return result
    }

    private func call(
        _ member: String, _ arguments: [DBusValue] = [], timeout: Duration = .seconds(25)
    ) async throws(DBusError) -> DBusMessage {
        do {
            return try await connection.call(
                .methodCall(
                    destination: AgentInterface.busName, path: AgentInterface.objectPath,
                    interface: AgentInterface.interface, member: member, arguments: arguments),
                timeout: timeout)
        } catch {
            switch error.name {
            case DBusError.Names.serviceUnknown?, DBusError.Names.nameHasNoOwner?:
                throw DBusError(
                    .notRunning,
                    "no callpop agent is running on this session bus (nobody owns \(AgentInterface.busName)); "
                        + "start it with `callpop run` or `systemctl --user start callpop`")
            case let name? where name.hasPrefix(AgentInterface.interface + ".Error."):
                throw DBusError(.refused, error.message)
            default:
                throw DBusError(error.code, name: error.name, "\(member) failed: \(error.message)")
            }
        }
    }
}
