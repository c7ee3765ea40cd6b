/// The running agent's presence on the session bus: the single-instance name
/// and the control interface `io.github.callpop.Agent1`.
public final class AgentBusService: Sendable {
    private let connection: DBusConnection

    private init(connection: DBusConnection) {
        self.connection = connection
    }

    /// Claims `io.github.callpop.Agent` and serves the control interface with `handler`.
    ///
    /// The object is exported before the name is claimed, so a client that sees
    /// the name can call it at once.
    /// - Throws: `DBusError` `.alreadyRunning` when another agent owns the name;
    ///   `.bus` when the bus fails.
    public static func start(connection: DBusConnection, handler: any AgentControlHandler) async throws(DBusError)
        -> AgentBusService
    {
        connection.export(path: AgentInterface.objectPath, introspectionXML: AgentInterface.introspectionXML) { call in
            await Self.handle(call, handler: handler)
        }
        let result: DBusConnection.NameRequestResult
        do {
            result = try await connection.requestName(AgentInterface.busName, doNotQueue: true)
        } catch {
            connection.unexport(path: AgentInterface.objectPath)
            throw error
        }
        switch result {
        case .primaryOwner, .alreadyOwner:
            return AgentBusService(connection: connection)
        case .exists, .inQueue:
            connection.unexport(path: AgentInterface.objectPath)
            throw DBusError(
                .alreadyRunning,
                "another callpop agent is already running: it owns \(AgentInterface.busName) on the session bus "
                    + "(see `callpop status`; stop it before starting a new one)")
        }
    }

    /// Broadcasts one decision record as the `Decision` signal.
    public func emitDecision(json: String) {
        connection.send(
            .signal(
                path: AgentInterface.objectPath, interface: AgentInterface.interface, member: "Decision",
                arguments: [.string(json)]))
    }

    /// Gives the name back and stops serving the interface.
    public func stop() async {
        connection.unexport(path: AgentInterface.objectPath)
        try? await connection.releaseName(AgentInterface.busName)
    }

    /// Answers one method call.
    private static func handle(_ call: DBusMessage, handler: any AgentControlHandler) async -> DBusMessage? {
        guard call.interface == AgentInterface.interface || call.interface == nil else {
            return call.errorReply(
                name: DBusError.Names.unknownMethod, message: "no interface \(call.interface ?? "") on this object")
        }
        switch (call.member, call.signature) {
        case ("Status", ""):
            return await reply(to: call, errorName: AgentInterface.ErrorName.statusFailed) {
                [.string(try await handler.status())]
            }
        case ("Reload", ""):
            return await reply(to: call, errorName: AgentInterface.ErrorName.reloadFailed) {
                try await handler.reload()
                return []
            }
        case ("Open", "s"):
            let rule = call.arguments.first?.string ?? ""
            return await reply(to: call, errorName: AgentInterface.ErrorName.openFailed) {
                try await handler.open(rule: rule)
                return []
            }
        case ("Dial", "s"):
            let number = call.arguments.first?.string ?? ""
            return await reply(to: call, errorName: AgentInterface.ErrorName.dialFailed) {
                try await handler.dial(number).arguments
            }
        case ("OpenCall", "ss"):
            let rule = call.arguments[0].string ?? ""
            let which = call.arguments[1].string ?? ""
            return await reply(to: call, errorName: AgentInterface.ErrorName.openFailed) {
                try await handler.open(rule: rule, call: which)
                return []
            }
        case ("Status", _), ("Reload", _), ("Open", _), ("OpenCall", _), ("Dial", _):
            return call.errorReply(
                name: DBusError.Names.invalidArgs,
                message: "wrong arguments (\(call.signature)) for \(call.member ?? ""); see Introspect")
        default:
            return call.errorReply(
                name: DBusError.Names.unknownMethod,
                message: "no method \(call.member ?? "") in \(AgentInterface.interface)")
        }
    }

    private static func reply(
        to call: DBusMessage, errorName: String, _ body: () async throws -> [DBusValue]
    ) async -> DBusMessage {
        do {
            return call.methodReturn(try await body())
        } catch let error as DBusError where error.code == .refused {
            return call.errorReply(name: errorName, message: error.message)
        } catch {
            return call.errorReply(name: errorName, message: String(describing: error))
        }
    }
}
