import ArgumentParser
import CallPopConfig
import CallPopDBus
import CallPopRuntime
import CallPopSources
import CallPopSetup
import CallPopPlatform
import CallPopCore
import Logging
import Glibc

extension CallPop {
    /// `callpop run`: the agent.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the agent: follow calls and open popups.",
            discussion: """
                Reads call events from the PBX configured under [pbx], or from --events. With \
                --dry-run nothing is launched and every decision is printed instead, which answers \
                "why did my popup (not) open?". On the session bus the agent shows a notification \
                per call with one action per on-click rule, and owns io.github.callpop.Agent so \
                that `callpop status|reload|open` reach it (a second agent exits). SIGHUP reloads.
                """)

        @OptionGroup var common: CommonOptions

        @Flag(help: "Launch nothing; print every decision instead.")
        var dryRun = false

        @Flag(help: "Print decisions as JSON objects, one per line, on stdout.")
        var json = false

        @Option(help: ArgumentHelp("Read NDJSON call events from this file or FIFO ('-' for stdin) instead of the PBX; exit at end of input.", valueName: "file"))
        var events: String?

        @Flag(inversion: .prefixedNo, help: "Own io.github.callpop.Agent and answer status/reload/open (default: on, off with --events).")
        var control: Bool?

        /// Tells the desktop that the agent did not start, when nobody reads its terminal (systemd,
        /// a desktop's autostart); a command typed in a terminal says it there.
        private func announceFailure(_ reason: String, _ logger: Logger, _ environment: [String: String]) async {
            guard events == nil, isatty(2) == 0 else { return }
            await DesktopSession.announce(
                .notStarted(reason, fix: "Fix it (callpop check, callpop doctor), then start callpop again: systemctl --user restart callpop, or log in again."),
                environment: environment, logger: logger)
        }

        /// Exit status for faults a restart cannot mend (bad configuration, refused login, another
        /// agent running): EX_CONFIG, which the systemd unit lists in RestartPreventExitStatus=.
        static let cannotRetry = ExitCode(78)

        func run() async throws {
            // Until the signal watcher runs, a reload request must not kill the agent.
            signal(SIGHUP, SIG_IGN)
            let logger = common.makeLogger()
            let environment = ProcessEnvironment.current
            let explicit = common.config
            let loaded = ConfigurationReport.loadResult(explicitFile: explicit, environment: environment)
            guard case .success(let configuration) = loaded else {
                StandardStreams.err("callpop: nothing was started")
                if case .failure(let error) = loaded { await announceFailure(error.diagnostics.first { !$0.isWarning }?.description ?? "", logger, environment) }
                throw Self.cannotRetry
            }
            let output = DecisionOutput(format: json ? .json : .text, toStandardOutput: dryRun || json)
            // Callbacks, the colleague directory and provisioned rules; their caches count from the start.
            let remote = RemoteServices(base: configuration, environment: environment, dryRun: dryRun, output: output, logger: logger)
            let source: any CallEventSource
            do throws(SourceError) {
                source = try SourceFactory.makeSource(configuration: configuration, eventsPath: events, http: remote.http)
            } catch {
                StandardStreams.err("callpop: \(error.message)")
                await announceFailure(error.message, logger, environment)
                throw Self.cannotRetry
            }
            let agent = Agent(
                configuration: remote.effective, options: .init(dryRun: dryRun, output: output), logger: logger,
                environment: environment)
            // The agent's health on the desktop and for systemd (Type=notify): not for --events runs.
            let health = events == nil
                ? HealthMonitor(
                    sourceName: source.name, grace: .seconds(configuration.notifications.problemDelay),
                    systemd: SystemdNotifier(environment: environment), logger: logger)
                : nil
            if let health { await agent.observe(health) }
            // The call history: for the real agent, not for replays (--events) or dry runs.
            var history: HistoryLog? = nil
            if events == nil, !dryRun, configuration.history.enabled {
                history = try? HistoryLog(
                    directory: XDGDirectories(environment: environment).historyDirectory, limit: configuration.history.maximumBytes)
                if let history, history.start() { await agent.keepHistory(in: history) } else { history = nil }
            }
            let runner = AgentRunner(agent: agent, source: source, logger: logger, health: health) {
                ConfigurationReport.loadResult(explicitFile: explicit, environment: environment).map(remote.rebase)
            }
            var dialer = Dialer(configuration: configuration, ami: (source as? AMIClient)?.dials, environment: environment)
            dialer?.dryRun = dryRun
            let session: DesktopSession?
            do throws(DBusError) {
                session = try await DesktopSession.start(
                    agent: agent, runner: runner, configuration: configuration, ownName: control ?? (events == nil),
                    logger: logger, health: health, environment: environment, dialer: dialer)
            } catch {
                StandardStreams.err("callpop: \(error.message)")
                throw Self.cannotRetry
            }
            logger.info("callpop \(Version.string) following \(source.name)\(dryRun ? " (dry run: nothing is launched)" : "")")
            await remote.start(agent: agent)
            do {
                try await runner.run()
                // At the end of an event file, let its callbacks go out (the spool keeps the rest).
                if events != nil { await remote.drain(within: .seconds(10)) }
                await remote.stop()
                await health?.settle()
                await history?.stop()
                await session?.stop()
            } catch {
                await remote.stop()
                // The desktop hears why (a refused login) before the bus connection goes.
                await health?.settle()
                await history?.stop()
                await session?.stop()
                // A source stops only for what retrying cannot mend (refused login, unreadable input).
                StandardStreams.err("callpop: \(error)")
                throw Self.cannotRetry
            }
        }
    }
}
