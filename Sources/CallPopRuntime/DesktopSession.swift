public import CallPopConfig
public import CallPopCore
public import CallPopDBus
internal import CallPopPlatform
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
    private let listeners: [Task<Void, Never>]

    private init(connection: DBusConnection, notifier: CallNotifier?, service: AgentBusService?, listeners: [Task<Void, Never>]) {
        self.connection = connection
        self.notifier = notifier
        self.service = service
        self.listeners = listeners
    }

    /// Connects to the session bus and wires `agent` to it. Returns nil (after logging why)
    /// when there is no session bus; throws when another agent already runs and
    /// `ownName` is set.
    public static func start(
        agent: Agent, runner: AgentRunner, configuration: Configuration, ownName: Bool, logger: Logger,
        health: HealthMonitor? = nil, environment: [String: String] = [:], dialer: Dialer? = nil
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
                    connection: connection, handler: ControlHandler(agent: agent, runner: runner, dialer: dialer))
            } catch {
                connection.close()
                throw error
            }
        }
        var notifier: CallNotifier? = nil
        var listeners: [Task<Void, Never>] = []
        let preferences = configuration.notifications
        // Health notices show even when call notifications are switched off.
        if preferences.enabled || health != nil {
            let settings = await notificationSettings(preferences, environment: environment)
            let started = CallNotifier(connection: connection, settings: settings, logger: logger)
            do {
                try await started.start()
                notifier = started
                listeners.append(Task {
                    for await click in started.invocations {
                        await agent.click(rule: click.ruleID, call: click.callID, activationToken: click.activationToken)
                    }
                })
                if let health {
                    await health.attach(started)
                    let onClick = configuration.ruleSet.rules.filter { $0.trigger == .onClick && $0.enabled }.count
                    listeners.append(Task {
                        for await server in started.servers { await health.notificationServer(server, onClickRules: onClick) }
                    })
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
        return DesktopSession(connection: connection, notifier: notifier, service: service, listeners: listeners)
    }

    /// The notifier's settings for `[notifications]`, with icons an installed theme has (the
    /// themes are read off the cooperative pool).
    static func notificationSettings(_ preferences: NotificationPreferences, environment: [String: String]) async -> NotificationSettings {
        let configured = NotificationSettings(
            enabled: preferences.enabled, phases: Set(preferences.phases.compactMap(CallPhase.init(rawValue:))),
            desktopEntry: "callpop")
        return await DetachedThread.value {
            configured.choosingInstalledIcons(environment: environment, preferred: preferences.icon.isEmpty ? nil : preferences.icon)
        } ?? configured
    }

    /// Shows one health notice and waits (briefly) until the server has it: for an agent that
    /// cannot start and exits, when nobody reads its terminal. Does nothing without a bus.
    public static func announce(_ notice: HealthNotice, environment: [String: String], logger: Logger) async {
        guard let connection = try? await DBusConnection.connect() else { return }
        let settings = await notificationSettings(NotificationPreferences(), environment: environment)
        let notifier = CallNotifier(connection: connection, settings: settings, logger: logger)
        if (try? await notifier.start()) != nil {
            await notifier.showHealth(notice)
            await notifier.settle()
        }
        await notifier.stop()
        connection.close()
    }

    /// Closes notifications' bookkeeping, releases the bus name and disconnects.
    public func stop() async {
        for listener in listeners { listener.cancel() }
        await notifier?.stop()
        await service?.stop()
        connection.close()
    }
}

/// Shows each call in a notification and sends each decision as a D-Bus signal.
private struct BusObserver: AgentObserver {
    let notifier: CallNotifier?
    let service: AgentBusService?

    /// Calls (with their offers, the notification's buttons) only when there is a notifier.
    var observes: AgentObservations {
        let calls: AgentObservations = notifier == nil ? [] : .callsWithOffers
        return service == nil ? calls : calls.union(.decisions)
    }

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
    let dialer: Dialer?

    func dial(_ number: String) async throws -> AgentDialReply {
        guard let dialer else { throw DBusError(.refused, "this agent's [dial] settings have errors (see callpop check)") }
        return try await dialer.placeForBus(number, logger: runner.logger)
    }

    func status() async throws -> String {
        await agent.statusJSON()
    }

    func reload() async throws {
        if let problem = await runner.reload() { throw DBusError(.refused, problem) }
    }

    func open(rule: String) async throws {
        try await checkOnClick(rule)
        guard let decision = await agent.clickLatest(rule: rule) else {
            throw DBusError(.refused, "no live call to open '\(rule)' for (for a call that is over: callpop open \(rule) --call last)")
        }
        try Self.check(decision, rule)
    }

    func open(rule: String, call: String) async throws {
        try await checkOnClick(rule)
        guard let decision = await agent.click(rule: rule, selecting: call) else {
            let what = call == "last" ? "no call" : call == "last-missed" ? "no missed call" : "no call '\(call)'"
            throw DBusError(.refused, "\(what) in the call history (see callpop history)")
        }
        try Self.check(decision, rule)
    }

    private func checkOnClick(_ rule: String) async throws {
        switch await agent.onClickRule(rule) {
        case .unknown:
            let rules = await agent.configuration.ruleSet.rules.filter { $0.trigger == .onClick }.map(\.id)
            throw DBusError(.refused, "no popup rule '\(rule)'" + Suggestion.phrase(for: rule, among: rules, otherwise: " (see callpop check)"))
        case .notOnClick: throw DBusError(.refused, "'\(rule)' is not an on-click rule; only on-click rules open on request")
        case .onClick: break
        }
    }

    private static func check(_ decision: Decision, _ rule: String) throws {
        if decision.verdict == .skip {
            throw DBusError(.refused, "'\(rule)' was not opened: \(decision.reason?.rawValue ?? "skipped")\(decision.detail.map { " (\($0))" } ?? "")")
        }
    }
}
