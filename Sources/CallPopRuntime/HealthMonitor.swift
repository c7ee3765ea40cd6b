public import CallPopCore
public import CallPopConfig
public import CallPopDBus
public import CallPopPlatform
public import Logging

/// Runs the `HealthStateMachine` for the agent: feeds it the source's reports, reload
/// outcomes and its one timer, shows its notices on the desktop and tells systemd
/// (`READY=1` once the PBX session is up, `STATUS=` lines). Idle, no timer runs.
public actor HealthMonitor: AgentObserver {
    private var machine: HealthStateMachine
    private let systemd: SystemdNotifier?
    private let logger: Logger
    private var notifier: CallNotifier?
    /// The latest notice, kept until a notifier is attached (the bus comes up after the source starts).
    private var unshown: HealthNotice?
    private var timer: Task<Void, Never>?
    private var status = ""

    /// A monitor for the source called `sourceName`; `grace` is how long the PBX may be
    /// unreachable unseen; `systemd` is the unit's notify socket, when there is one.
    public init(sourceName: String, grace: Duration, systemd: SystemdNotifier?, logger: Logger) {
        machine = HealthStateMachine(sourceName: sourceName, grace: grace, now: .now)
        self.systemd = systemd
        self.logger = logger
        Task { await self.schedule() }
    }

    /// Shows notices on `notifier` from now on (and the one that was waiting for it).
    public func attach(_ notifier: CallNotifier) async {
        self.notifier = notifier
        if let unshown {
            self.unshown = nil
            await notifier.showHealth(unshown)
        }
    }

    /// The source reported on its connection.
    public func sourceReported(_ report: SourceReport) async {
        await perform(machine.sourceReported(report, at: .now))
    }

    /// Health follows the source only: calls and decisions never reach this actor.
    public nonisolated var observes: AgentObservations { .reports }

    /// A reload was refused with these problems.
    public func reloadRefused(_ error: ConfigurationError) async {
        let errors = error.diagnostics.filter { !$0.isWarning }
        await perform(machine.reloadRefused(errorCount: errors.count, first: errors.first?.description ?? "(no details)"))
    }

    /// A reload was taken.
    public func reloaded() async {
        await perform(machine.reloaded())
    }

    /// The notification server changed; `onClickRules` is how many rules want buttons.
    public func notificationServer(_ server: ServerCapabilities?, onClickRules: Int) async {
        guard let server, onClickRules > 0, !server.actions, !server.bodyHyperlinks else { return }
        let name = server.serverName.isEmpty ? "The notification server" : server.serverName
        await perform(machine.notificationsLimited(
            "\(name) shows neither buttons nor links, so your on-click popups cannot be offered on a call's notification. "
                + "Run callpop open RULE instead (bind it to a key), or use a notification server with actions (see callpop doctor)."))
    }

    /// Waits until the notices sent so far have reached the desktop (before the agent exits).
    public func settle() async {
        timer?.cancel()
        systemd?.stopping()
        await notifier?.settle()
    }

    // MARK: Internals

    private func perform(_ actions: [HealthStateMachine.Action]) async {
        for action in actions {
            switch action {
            case .show(let notice):
                logger.info("desktop notice: \(notice.summary)")
                if let notifier { await notifier.showHealth(notice) } else { unshown = notice }
            case .ready:
                systemd?.send(["READY=1"])
            case .status(let text):
                status = text
                systemd?.status(text)
            }
        }
        schedule()
    }

    /// Arms the one timer for the machine's next deadline, if it has one.
    private func schedule() {
        timer?.cancel()
        timer = nil
        guard let deadline = machine.nextDeadline else { return }
        timer = Task { [weak self] in
            guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
            await self?.deadlinePassed()
        }
    }

    private func deadlinePassed() async {
        await perform(machine.deadlinePassed(at: .now))
    }
}
