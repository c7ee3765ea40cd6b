public import CallPopCore
public import CallPopConfig
internal import CallPopLaunch
internal import CallPopPlatform
internal import CallPopDirectories
public import Logging

/// The agent's heart at run time: feeds events to the decision engine, shows the
/// decisions and launches what is due. An actor because events, notification clicks
/// and reloads arrive from different tasks.
public actor Agent {
    var engine: DecisionEngine
    /// The configuration in force.
    public private(set) var configuration: Configuration
    private let options: Options
    private let logger: Logger
    private var launcher: ProcessLauncher
    var observers = AgentObservers()
    /// Looks callers up in the `[[directory]]` entries; nil: every caller is unknown.
    var callerLookup: CallerLookupService?
    /// Lookups whose answers are still awaited, by a running number.
    var lookups: [Int: Task<Void, Never>] = [:]
    var nextLookup = 0
    /// Decisions made by lookups' answers while `waitForLookups` waits.
    var collectedDecisions: [Decision]?
    private var runningChildren = 0
    private var childWaiters: [CheckedContinuation<Void, Never>] = []
    /// The latest connection state reported by the source, for `status`.
    public private(set) var connection: SourceReport.ConnectionState = .disconnected
    /// The source's name, for `status`.
    private var sourceName = ""
    /// Opens URL targets instead of the opener program (the desktop portal inside a sandbox).
    private var urlOpener: (@Sendable (String) async throws -> Void)?
    /// When the agent started and last heard of a call (wall clock, milliseconds), for `status`.
    private let startedAt = WallClock.milliseconds()
    private var lastEventAt: Int64?
    /// The session is a Wayland one: a click's activation token goes in XDG_ACTIVATION_TOKEN only.
    private let wayland: Bool
    /// The call history journal, when it is kept.
    private var history: HistoryLog?

    /// How the agent behaves.
    public struct Options: Sendable {
        /// Launch nothing; show every decision instead.
        public var dryRun: Bool
        /// Where decisions are shown.
        public var output: DecisionOutput

        /// Creates options.
        public init(dryRun: Bool, output: DecisionOutput) {
            self.dryRun = dryRun
            self.output = output
        }
    }

    /// Creates an agent for `configuration`.
    public init(configuration: Configuration, options: Options, logger: Logger, environment: [String: String]) {
        self.engine = DecisionEngine(ruleSet: configuration.ruleSet)
        self.configuration = configuration
        self.options = options
        self.logger = logger
        // Programs never inherit the variables callpop reads secrets from, nor the agent's own
        // activation token or systemd socket (`SecretVariables.childEnvironment`).
        self.launcher = ProcessLauncher(baseEnvironment: environment, withholding: configuration.secretEnvironment)
        self.wayland = !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
    }

    /// Opens URL targets with `opener` (the desktop portal) instead of spawning the opener program.
    public func openURLs(with opener: @escaping @Sendable (String) async throws -> Void) {
        urlOpener = opener
    }

    /// Keeps the call history in `log` (and finds calls there for `callpop open --call`).
    public func keepHistory(in log: HistoryLog) {
        history = log
        observers.add(HistoryRecorder(log: log))
    }

    /// Names the source in `status`.
    public func follow(_ name: String) {
        sourceName = name
    }

    /// What a rule named on request is.
    public enum RequestedRule: Sendable {
        /// No rule has this id or name.
        case unknown
        /// It opens only by itself (ringing, call-generation, answer).
        case notOnClick
        /// An on-click rule.
        case onClick
    }

    /// Whether `idOrName` names an on-click rule.
    public func onClickRule(_ idOrName: String) -> RequestedRule {
        guard let rule = configuration.ruleSet.rule(idOrName) else { return .unknown }
        return rule.trigger == .onClick ? .onClick : .notOnClick
    }

    /// The agent's state as one JSON object: version, configuration, source, live calls.
    public func statusJSON() -> String {
        var w = JSONObjectWriter()
        w.add("version", Version.string)
        w.add("config", configuration.files)
        w.add("source", sourceName)
        w.add("connection", connection.rawValue)
        w.add("dry_run", options.dryRun)
        w.add("started", WallClock.iso8601(milliseconds: startedAt))
        if let lastEventAt { w.add("last_event", WallClock.iso8601(milliseconds: lastEventAt)) }
        w.add("rules", configuration.ruleSet.rules.map(\.id))
        let calls = engine.liveCalls.map { call -> String in
            var c = JSONObjectWriter()
            c.add("call", UntrustedText.clean(call.event.callID, for: .logLine))
            c.add("direction", call.event.direction.rawValue)
            c.add("state", call.event.state.rawValue)
            c.add("number", UntrustedText.clean(call.event.remoteNumber, for: .logLine))
            c.add("name", UntrustedText.clean(call.event.remoteName, for: .logLine))
            c.add("colleague", call.isColleague)
            return c.json
        }
        w.add("calls", rawJSON: "[" + calls.joined(separator: ",") + "]")
        return w.json
    }

    /// Adds an observer.
    public func observe(_ observer: any AgentObserver) {
        observers.add(observer)
    }

    /// Handles one call event: decides, shows, launches. Returns the decisions.
    @discardableResult
    public func handle(_ event: CallEvent) async -> [Decision] {
        lastEventAt = WallClock.milliseconds()
        let outcome = engine.handle(event, at: .now)
        let decisions = decisions(of: outcome)
        for decision in decisions { await act(on: decision) }
        if let number = outcome.lookUp, let call = outcome.call { lookUp(number, for: call.event.callID) }
        await observers.callChanged(outcome)
        return decisions
    }

    /// `outcome`'s decisions as they are acted on: offers with their targets when a decision log
    /// on standard output shows them, without (not expanded) otherwise.
    func decisions(of outcome: DecisionEngine.Outcome) -> [Decision] {
        options.output.toStandardOutput ? outcome.decisionsShowingOffers : outcome.decisions
    }

    /// Runs an on-click rule for a call (a notification action, `callpop open`). A click on a
    /// notification may bring the server's `activationToken`, so the page comes to the front.
    @discardableResult
    public func click(rule: String, call: String, activationToken: String? = nil) async -> Decision? {
        guard var decision = engine.click(rule: rule, call: call, at: .now) else {
            logger.warning("no on-click rule \(Decision.quoted(UntrustedText.clean(rule, for: .logLine))) or no call \(Decision.token(UntrustedText.clean(call, for: .logLine))) to open it for")
            return nil
        }
        if let activationToken {
            decision.plan?.environment.merge(ActivationEnvironment.forClick(token: activationToken, wayland: wayland)) { $1 }
        }
        await act(on: decision)
        return decision
    }

    /// Runs an on-click rule for the call `selector` names — a call id, `last` or `last-missed` —
    /// also when it is over: from the tracker, else from the history. Nil when there is no such call.
    public func click(rule: String, selecting selector: String) async -> Decision? {
        if selector != "last", selector != "last-missed", engine.call(selector) != nil {
            return await click(rule: rule, call: selector)
        }
        guard let history else {
            guard selector == "last", let call = engine.liveCalls.first else { return nil }
            return await click(rule: rule, call: call.event.callID)
        }
        await history.flush()
        let directory = history.directory
        let calls = await DetachedThread.value { HistoryLog.calls(in: directory) } ?? []
        guard let past = CallHistory.find(selector, in: calls) else { return nil }
        if engine.call(past.id) != nil { return await click(rule: rule, call: past.id) }
        guard let decision = engine.click(rule: rule, pastCall: past.event, at: .now) else { return nil }
        await act(on: decision)
        return decision
    }

    /// Runs an on-click rule for the most recent live call its direction admits; nil when there is none.
    public func clickLatest(rule: String) async -> Decision? {
        let direction = configuration.ruleSet.rule(rule)?.direction ?? .any
        guard let call = engine.liveCalls.first(where: { direction.admits($0.event.direction) }) else { return nil }
        return await click(rule: rule, call: call.event.callID)
    }

    /// Replaces the configuration; live calls keep their fired rules.
    public func reload(_ newConfiguration: Configuration) {
        engine.reload(newConfiguration.ruleSet)
        configuration = newConfiguration
        launcher.withhold(newConfiguration.secretEnvironment)
        logger.info("configuration reloaded from \(newConfiguration.files.joined(separator: ", "))")
    }

    /// Notes a source report in the log and the connection state, and tells the observers.
    public func sourceReported(_ report: SourceReport) async {
        if let state = report.connection { connection = state }
        switch report.level {
        case .info: logger.info("\(report.message)")
        case .warning: logger.warning("\(report.message)")
        case .error: logger.error("\(report.message)")
        }
        for observer in observers.ofReports { await observer.sourceReported(report) }
    }

    /// The live calls, newest first.
    public var liveCalls: [TrackedCall] { engine.liveCalls }

    /// Waits until every launched child has ended, or `timeout` passed.
    public func waitForChildren(timeout: Duration) async {
        guard runningChildren > 0 else { return }
        // One waiter, released by the last child or by the timer, whichever comes first:
        // a child that runs for hours (an app, a browser in the foreground) must not hold us.
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.releaseChildWaiters()
        }
        await withCheckedContinuation { childWaiters.append($0) }
        timer.cancel()
    }

    private func releaseChildWaiters() {
        let waiters = childWaiters
        childWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    private func childEnded() {
        runningChildren -= 1
        if runningChildren == 0 { releaseChildWaiters() }
    }

    func act(on decision: Decision) async {
        if options.output.toStandardOutput {
            options.output.write(decision, dryRun: options.dryRun)
        } else if decision.verdict == .skip && decision.reason == .alreadyFired {
            logger.debug("\(decision.line)")
        } else {
            logger.info("\(decision.line)")
        }
        // Launch first: the observers (the D-Bus signal) must not sit on the event-to-popup path.
        if decision.verdict == .launch, !options.dryRun, let plan = decision.plan { launch(plan, for: decision) }
        for observer in observers.ofDecisions { await observer.decided(decision) }
    }

    private func launch(_ plan: LaunchPlan, for decision: Decision) {
        let logger = self.logger
        // Named as in the decision line: quoted, so that a call id cannot forge the rest of the line.
        let popup = "popup \(Decision.quoted(decision.ruleName)) for call \(Decision.token(decision.callID))"
        let program = plan.argv.first ?? ""
        if let urlOpener, let url = plan.url {
            // The portal answers asynchronously (it may ask the user): never block the event path.
            Task {
                do { try await urlOpener(url) } catch {
                    logger.error("\(popup): \(error)")
                }
            }
            return
        }
        do {
            runningChildren += 1
            try launcher.launch(plan) { outcome in
                if !outcome.succeeded {
                    logger.error("\(popup): '\(program)' \(outcome.summary)")
                }
                Task { await self.childEnded() }
            }
        } catch {
            runningChildren -= 1
            logger.error("\(popup): \(error.message)")
        }
    }
}
