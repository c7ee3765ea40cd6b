public import CallPopCore
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
    /// The notification server as it comes and goes: its capabilities, or nil when none runs.
    public nonisolated let servers: AsyncStream<ServerCapabilities?>

    private let connection: DBusConnection
    private let settings: NotificationSettings
    private let logger: Logger
    private let invocationSink: AsyncStream<ActionInvocation>.Continuation
    private let serverSink: AsyncStream<ServerCapabilities?>.Continuation
    /// Health notices sent and not yet answered, so `settle` can wait for them before exit.
    private var healthSends: [Task<Void, Never>] = []
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
        (servers, serverSink) = AsyncStream.makeStream(of: ServerCapabilities?.self, bufferingPolicy: .bufferingNewest(4))
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
        // One subscription for ActivationToken, ActionInvoked and NotificationClosed: the
        // server sends a click's token just before the click, and only one stream keeps that order.
        let server = try await connection.signals(
            matching: DBusMatchRule(path: NotificationsAPI.path, interface: NotificationsAPI.interface))
        listeners = [
            Task { [weak self] in
                for await signal in owners {
                    let newOwner = signal.arguments.count == 3 ? signal.arguments[2].string ?? "" : ""
                    await self?.ownerChanged(to: newOwner)
                }
            },
            Task { [weak self] in
                for await signal in server { await self?.received(signal) }
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
        serverSink.finish()
    }

    /// Shows a health notice (what stopped popups, or that they work again) in place of the
    /// previous one; without a server it shows once one appears. Returns without waiting.
    public func showHealth(_ notice: HealthNotice) {
        perform(machine.showHealth(notice))
    }

    /// Waits (at most `bound`) until the health notices sent so far are answered: before the
    /// agent exits, so the last word reaches the desktop.
    public func settle(within bound: Duration = .seconds(3)) async {
        let sends = healthSends
        healthSends.removeAll()
        let all = Task { for send in sends { await send.value } }
        let timer = Task {
            try? await Task.sleep(for: bound)
            all.cancel()
        }
        await all.value
        timer.cancel()
    }

    /// Shows, updates or closes the call's notification. Returns without waiting for the server.
    public func update(_ notice: CallNotice) {
        perform(machine.update(notice))
    }

    // MARK: Server life

    private func ownerChanged(to newOwner: String) async {
        if newOwner.isEmpty {
            serverOwner = nil
            serverSink.yield(nil)
            perform(machine.serverVanished())
        } else if newOwner != serverOwner {
            await probe(destination: newOwner)
        }
    }

    /// Asks a server for its capabilities, once per server start.
    private func probe(destination: String) async {
        let owner: String?
        guard let capabilities = await NotificationServerQuery.ask(connection, destination: destination) else {
            logger.debug("No notification server answered GetCapabilities")
            return
        }
        do {
            owner = destination.hasPrefix(":") ? destination : try await connection.nameOwner(destination)
        } catch {
            logger.debug("The notification server's name has no owner: \(error)")
            return
        }
        // The owner may have changed while we waited; its own signal will probe again.
        guard let owner, owner != serverOwner else { return }
        serverOwner = owner
        logger.info(
            "Notification server found",
            metadata: [
                "server": .string("\(capabilities.serverName) \(capabilities.serverVersion)"),
                "capabilities": .string(capabilities.names.sorted().joined(separator: ",")),
            ])
        serverSink.yield(capabilities)
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
        case "ActivationToken":
            guard signal.arguments.count >= 2, let token = signal.arguments[1].string else { return }
            machine.activationToken(id: id, token: token)
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
            case .notifyHealth(let replacesID, let content, let generation):
                let message = NotificationsAPI.call(
                    "Notify", content.notifyArguments(appName: settings.appName, replacesID: replacesID))
                healthSends.append(Task { await self.sendHealth(message, generation: generation) })
                if healthSends.count > 8 { healthSends.removeFirst() }
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

    private func sendHealth(_ message: DBusMessage, generation: Int) async {
        do {
            let reply = try await connection.call(message, timeout: .seconds(5))
            perform(machine.healthReplied(id: reply.arguments.first?.uint32, generation: generation))
        } catch {
            logger.debug("the notification server refused a health notice: \(error)")
            perform(machine.healthReplied(id: nil, generation: generation))
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
