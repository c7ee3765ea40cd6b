public import Logging

/// Shows a desktop notification per call through `org.freedesktop.Notifications`
/// and turns clicks on its buttons into `ActionInvocation`s.
///
/// `update` never waits for the notification server: it queues the D-Bus
/// call and returns. The notifier works without a server and picks one up
/// when it appears on the bus.
public actor CallNotifier {
    /// Clicks on notification buttons, in order. The runtime runs each through
    /// its normal launch path.
    public nonisolated let invocations: AsyncStream<ActionInvocation>

    private let connection: DBusConnection
    private let settings: NotificationSettings
    private let logger: Logger
    private let invocationSink: AsyncStream<ActionInvocation>.Continuation
    private var machine: NotificationStateMachine
    /// The unique name of the notification server the ids belong to.
    private var serverOwner: String?
    private var listeners: [Task<Void, Never>] = []

    /// Creates a notifier on `connection`; call `start()` before `update`.
    public init(connection: DBusConnection, settings: NotificationSettings = NotificationSettings(), logger: Logger) {
        self.connection = connection
        self.settings = settings
        self.logger = logger
        self.machine = NotificationStateMachine(settings: settings)
        (invocations, invocationSink) = AsyncStream.makeStream(of: ActionInvocation.self)
    }

    /// Listens for the server's signals and looks for a running server.
    ///
    /// Returns once it knows whether a server is there. A missing server is
    /// not an error: notifications start when one appears.
    /// - Throws: `DBusError` when the bus refuses the signal subscriptions.
    public func start() async throws(DBusError) {
        guard listeners.isEmpty else { return }
        let owners = try await connection.signals(
            matching: DBusMatchRule(
                sender: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus",
                member: "NameOwnerChanged", arg0: NotificationsAPI.busName))
        let clicks = try await connection.signals(
            matching: DBusMatchRule(path: NotificationsAPI.path, interface: NotificationsAPI.interface, member: "ActionInvoked"))
        let closes = try await connection.signals(
            matching: DBusMatchRule(
                path: NotificationsAPI.path, interface: NotificationsAPI.interface, member: "NotificationClosed"))
        listeners = [
            Task { [weak self] in
                for await signal in owners {
                    let newOwner = signal.arguments.count == 3 ? signal.arguments[2].string ?? "" : ""
                    await self?.ownerChanged(to: newOwner)
                }
            },
            Task { [weak self] in
                for await signal in clicks { await self?.received(signal) }
            },
            Task { [weak self] in
                for await signal in closes { await self?.received(signal) }
            },
        ]
        // Calling the well-known name lets the bus start an activatable server.
        await probe(destination: NotificationsAPI.busName)
        if !machine.serverPresent {
            logger.info("No desktop notification server on the session bus; call notifications show once one starts.")
        }
    }

    /// Stops listening and ends `invocations`. Notifications already shown stay.
    public func stop() {
        for listener in listeners { listener.cancel() }
        listeners.removeAll()
        invocationSink.finish()
    }

    /// Shows, updates or closes the call's notification. Returns without waiting for the server.
    public func update(_ notice: CallNotice) {
        perform(machine.update(notice))
    }

    // MARK: Server life

    private func ownerChanged(to newOwner: String) async {
        if newOwner.isEmpty {
            serverOwner = nil
            perform(machine.serverVanished())
        } else if newOwner != serverOwner {
            await probe(destination: newOwner)
        }
    }

    /// Asks a server for its capabilities, once per server start.
    private func probe(destination: String) async {
        let capabilities: ServerCapabilities
        let owner: String?
        do {
            let reply = try await connection.call(NotificationsAPI.call("GetCapabilities", destination: destination))
            capabilities = ServerCapabilities((reply.arguments.first?.array ?? []).compactMap(\.string))
            owner = destination.hasPrefix(":") ? destination : try await connection.nameOwner(destination)
        } catch {
            logger.debug("No notification server answered GetCapabilities: \(error)")
            return
        }
        // The owner may have changed while we waited; its own signal will probe again.
        guard let owner, owner != serverOwner else { return }
        serverOwner = owner
        logger.info(
            "Notification server found",
            metadata: ["capabilities": .string(capabilities.names.sorted().joined(separator: ","))])
        perform(machine.serverAppeared(capabilities))
    }

    private func received(_ signal: DBusMessage) {
        // Anybody may emit these signals: only the server's own count.
        guard let owner = serverOwner, signal.sender == owner,
            let id = signal.arguments.first?.uint32
        else { return }
        switch signal.member {
        case "ActionInvoked":
            guard signal.arguments.count >= 2, let key = signal.arguments[1].string else { return }
            perform(machine.actionInvoked(id: id, key: key))
        case "NotificationClosed":
            perform(machine.notificationClosed(id: id))
        default:
            break
        }
    }

    // MARK: Executing the state machine's actions

    private func perform(_ actions: [NotificationStateMachine.Action]) {
        for action in actions {
            switch action {
            case .notify(let callID, let replacesID, let content, let generation):
                let message = NotificationsAPI.call(
                    "Notify", content.notifyArguments(appName: settings.appName, replacesID: replacesID))
                Task { await self.sendNotify(message, callID: callID, generation: generation) }
            case .close(let id):
                Task { await self.sendClose(id) }
            case .invoke(let invocation):
                invocationSink.yield(invocation)
            case .log(.info, let line):
                logger.info("\(line)")
            case .log(.warning, let line):
                logger.warning("\(line)")
            }
        }
    }

    private func sendNotify(_ message: DBusMessage, callID: String, generation: Int) async {
        do {
            let reply = try await connection.call(message)
            guard let id = reply.arguments.first?.uint32 else {
                perform(machine.notifyFailed(callID: callID, message: "Notify returned no id", generation: generation))
                return
            }
            perform(machine.notifyReplied(callID: callID, id: id, generation: generation))
        } catch {
            perform(machine.notifyFailed(callID: callID, message: error.description, generation: generation))
        }
    }

    private func sendClose(_ id: UInt32) async {
        do {
            _ = try await connection.call(NotificationsAPI.call("CloseNotification", [.uint32(id)]))
        } catch {
            logger.debug("CloseNotification(\(id)) failed: \(error)")
        }
    }
}
