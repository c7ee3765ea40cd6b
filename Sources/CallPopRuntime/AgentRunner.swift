public import CallPopCore
public import CallPopConfig
public import Logging
internal import CallPopPlatform
internal import Glibc

/// Runs the agent on one source until the source ends or SIGTERM/SIGINT; SIGHUP reloads.
public struct AgentRunner: Sendable {
    /// The agent.
    public let agent: Agent
    /// Where events come from.
    public let source: any CallEventSource
    /// The log.
    public let logger: Logger
    /// Re-reads the configuration for SIGHUP and `Reload()`; nil when reloading makes no sense.
    public let reloadConfiguration: (@Sendable () -> Result<Configuration, ConfigurationError>)?
    /// Hears of refused and accepted reloads, to tell the desktop.
    public let health: HealthMonitor?

    /// Creates a runner.
    public init(
        agent: Agent, source: any CallEventSource, logger: Logger, health: HealthMonitor? = nil,
        reloadConfiguration: (@Sendable () -> Result<Configuration, ConfigurationError>)?
    ) {
        self.agent = agent
        self.source = source
        self.logger = logger
        self.health = health
        self.reloadConfiguration = reloadConfiguration
    }

    /// Runs until the source ends (then waits briefly for launched children) or a stop signal.
    public func run() async throws {
        let agent = self.agent
        let source = self.source
        await agent.follow(source.name)
        let work = Task {
            try await source.run(
                emit: { event in await agent.handle(event) },
                report: { report in await agent.sourceReported(report) })
        }
        let signals = try SignalWatcher([SIGHUP, SIGINT, SIGTERM])
        let handling = Task {
            while let signal = await signals.next() {
                if signal == SIGHUP {
                    await self.reload()
                } else {
                    work.cancel()
                    return
                }
            }
        }
        // Once the agent has settled, give back the executable pages only start-up needed.
        StartupPages.release(after: .seconds(5)) { bytes in
            logger.debug("released \(bytes / 1024) KiB of start-up pages")
        }
        defer {
            // Shutting down: a second SIGTERM or Ctrl-C must end the process at once again.
            signals.stop()
            handling.cancel()
        }
        try await work.value
        // At the end of an event file, let the popups it started finish (they run on in
        // their own sessions anyway); on SIGTERM, exit at once.
        if !work.isCancelled {
            await agent.waitForLookups()
            await agent.waitForChildren(timeout: .seconds(10))
        }
    }

    /// How long a reload may spend reading its files before it is given up.
    static let readBound = Duration.seconds(10)

    /// Re-reads the configuration; a bad one is rejected and the old one stays. Returns
    /// nil on success, or the problems, one per line.
    ///
    /// The files are read on a thread of their own: a file system that hangs must not take
    /// the cooperative pool (and with it events, status and SIGTERM) along.
    @discardableResult
    public func reload() async -> String? {
        guard let reloadConfiguration else { return "this agent was started without a configuration file to reload" }
        guard let read = await DetachedThread.value(within: Self.readBound, reloadConfiguration) else {
            let problem = "the configuration could not be read within \(Self.readBound); the previous one stays active"
            logger.error("reload rejected: \(problem)")
            return problem
        }
        switch read {
        case .success(let configuration):
            let previous = await agent.configuration
            await agent.reload(configuration)
            // Rules, user, colleagues and launch limits change at once; the PBX connection
            // and the desktop session are set up once per run.
            var later: [String] = []
            if previous.pbx != configuration.pbx { later.append("[pbx]") }
            if previous.notifications != configuration.notifications { later.append("[notifications]") }
            if previous.portal != configuration.portal { later.append("[launch] portal") }
            if previous.dial != configuration.dial { later.append("[dial]") }
            if previous.lookup != configuration.lookup { later.append("[lookup] and [[directory]]") }
            if !later.isEmpty {
                logger.warning("changes to \(later.joined(separator: ", ")) take effect after a restart (systemctl --user restart callpop)")
            }
            await health?.reloaded()
            return nil
        case .failure(let error):
            logger.error("reload rejected: the configuration has errors (see above); the previous one stays active")
            await health?.reloadRefused(error)
            return error.description
        }
    }
}
