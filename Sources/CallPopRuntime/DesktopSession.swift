public import CallPopConfig
internal import CallPopCore
public import CallPopDBus
public import Logging

/// The agent's life on the session bus: caller notifications with on-click actions,
/// the single-instance name with its control interface, and portal opening.
///
/// Everything here is optional: without a session bus (a server, a test), or without a
/// notification server, the agent runs on and automatic popups still open.
public final class DesktopSession: Sendable {
    private let connection: DBusConnection
    private let notifier: CallNotifier?
    private let service: AgentBusService?
    private let clicks: Task<Void, Never>?

    private init(connection: DBusConnection, notifier: CallNotifier?, service: AgentBusService?, clicks: Task<Void, Never>?) {
        self.connection = connection
        self.notifier = notifier
        self.service = service
        self.clicks = clicks
    }

    /// Connects to the session bus and wires `agent` to it. Returns nil (after logging why)
    /// when there is no session bus; throws when another agent already runs and
    /// `ownName` is set.
    public static func start(
        agent: Agent, runner: AgentRunner, configuration: Configuration, ownName: Bool, logger: Logger
    ) async throws(DBusError) -> DesktopSession? {
        let connection: DBusConnection
        do {
            connection = try await DBusConnection.connect()
        } catch {
            logger.warning("no session bus (\(error)): no notifications and no control interface; automatic popups still open")
            return nil
        }
        var service: AgentBusService? = nil
        if ownName {
            do {
                service = try await AgentBusService.start(
                    connection: connection, handler: ControlHandler(agent: agent, runner: runner))
            } catch {
                connection.close()
                throw error
            }
        }
        var notifier: CallNotifier? = nil
        var clicks: Task<Void, Never>? = nil
        let preferences = configuration.notifications
        if preferences.enabled {
            let settings = NotificationSettings(
                enabled: true, phases: Set(preferences.phases.compactMap(CallPhase.init(rawValue:))),
                icons: [.ringing: preferences.icon, .answered: preferences.icon, .missed: "call-missed-symbolic"],
                desktopEntry: "callpop")
            let started = CallNotifier(connection: connection, settings: settings, logger: logger)
            do {
                try await started.start()
                notifier = started
                clicks = Task {
                    for await click in started.invocations {
                        await agent.click(rule: click.ruleID, call: click.callID)
                    }
                }
            } catch {
                logger.warning("notifications unavailable: \(error)")
            }
        }
        await agent.observe(BusObserver(notifier: notifier, service: service))
        if configuration.portal == .always || (configuration.portal == .auto && URLPortalOpener.isSandboxed) {
            let portal = URLPortalOpener(connection: connection)
            await agent.openURLs { url throws in try await portal.open(url) }
            logger.info("URLs open through the desktop portal")
        }
        return DesktopSession(connection: connection, notifier: notifier, service: service, clicks: clicks)
    }

    /// Closes notifications' bookkeeping, releases the bus name and disconnects.
    public func stop() async {
        clicks?.cancel()
        await notifier?.stop()
        await service?.stop()
        connection.close()
    }
}

/// Shows each call in a notification and sends each decision as a D-Bus signal.
private struct BusObserver: AgentObserver {
    let notifier: CallNotifier?
    let service: AgentBusService?

    func callChanged(_ call: TrackedCall, offers: [Decision]) async {
        // A new caller shows once the lookup answered or its budget passed (the agent reports
        // the call again then), so a known caller appears by name at once.
        guard let notifier, !call.lookup.isWaiting else { return }
        let actions = offers.map { NotificationAction(ruleID: $0.ruleID, label: $0.ruleName, url: $0.plan?.url) }
        var notice = CallNotice(event: call.event, wasAnswered: call.wasAnswered, actions: actions)
        notice.contactName = call.contact?.name ?? ""
        notice.contactOrganisation = call.contact?.organisation ?? ""
        await notifier.update(notice)
    }

    func decided(_ decision: Decision) async {
        service?.emitDecision(json: decision.json)
    }
}

/// Answers `Status`, `Reload` and `Open` for the agent.
private struct ControlHandler: AgentControlHandler {
    let agent: Agent
    let runner: AgentRunner

    func status() async throws -> String {
        await agent.statusJSON()
    }

    func reload() async throws {
        if let problem = await runner.reload() { throw DBusError(.refused, problem) }
    }

    func open(rule: String) async throws {
        switch await agent.onClickRule(rule) {
        case .unknown: throw DBusError(.refused, "no popup rule '\(rule)' (see callpop check)")
        case .notOnClick: throw DBusError(.refused, "'\(rule)' is not an on-click rule; only on-click rules open on request")
        case .onClick: break
        }
        guard let decision = await agent.clickLatest(rule: rule) else {
            throw DBusError(.refused, "no live call to open '\(rule)' for")
        }
        if decision.verdict == .skip {
            throw DBusError(.refused, "'\(rule)' was not opened: \(decision.reason?.rawValue ?? "skipped")\(decision.detail.map { " (\($0))" } ?? "")")
        }
    }
}
