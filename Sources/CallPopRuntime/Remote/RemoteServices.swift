public import CallPopConfig
import CallPopCallbacks
import CallPopCore
public import CallPopDirectories
public import CallPopHTTP
import CallPopLookup
import CallPopPlatform
public import Logging
import Synchronization

/// Everything of the agent that speaks HTTP, wired in one place: callbacks (`[[callback]]`),
/// the colleague directory (`[colleagues] url`), provisioned rules (`[provisioning] url`) and
/// caller lookup (`[[directory]]`), with one `HTTPClient` (one thread) they and the
/// event-stream source share.
///
/// The agent sees it through two narrow hooks only: an `AgentObserver` for callbacks, and
/// `Agent.reload` when a refresh changes the merged configuration.
public final class RemoteServices: Sendable {
    /// The shared HTTP client (`User-Agent: callpop/VERSION`, proxies from the environment).
    public let http: HTTPClient
    /// The files' configuration merged with what arrived over HTTP.
    public let configuration: RemoteConfiguration
    private let delivery: CallbackDelivery?
    private let dispatcher: CallbackDispatcher
    private let log: CallbackLog
    private let logger: Logger
    private let directory: RefreshedDocument<[String]>?
    private let provisioning: RefreshedDocument<ProvisionedRules>?
    private let cachedCopies: (directory: CachedResource.Copy?, provisioning: CachedResource.Copy?)
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let agentBox = AgentSlot()
    /// Caller lookup, when a `[[directory]]` is enabled.
    public let callerLookup: CallerLookupService?

    /// Sets up the services for `base` and reads their caches, so `configuration.effective`
    /// already holds the last good colleague list and provisioned rules. Nothing is sent or
    /// fetched before `start`. In a dry run callbacks are shown, never sent or spooled.
    public init(base: Configuration, environment: [String: String], dryRun: Bool, output: DecisionOutput, logger: Logger) {
        http = HTTPClient(userAgent: "callpop/\(Version.string)", proxies: ProxyEnvironment(environment: environment))
        configuration = RemoteConfiguration(base: base)
        self.logger = logger
        log = CallbackLog(output: output, dryRun: dryRun, logger: logger)
        let directories = StateDirectories(environment: environment)
        if dryRun {
            delivery = nil
        } else {
            var spool: CallbackSpool?
            do { spool = try CallbackSpool(directory: directories.state + "/callbacks") } catch {
                logger.warning("callbacks are kept in memory only: \(error)")
            }
            let configuration = self.configuration
            let log = self.log
            delivery = CallbackDelivery(
                client: http, spool: spool,
                secrets: { id in configuration.effective.callbacks.first { $0.id == id }?.secretHeaders },
                report: { log.result($0) })
        }
        dispatcher = CallbackDispatcher(configuration: configuration, delivery: delivery, log: log)
        callerLookup = base.lookup.isActive
            ? CallerLookupService(settings: base.lookup, plan: base.ruleSet.user.numberPlan, client: http, cacheDirectory: directories.cache, logger: logger)
            : nil
        let remote = configuration
        let box = agentBox
        directory = base.colleagueDirectory.map { resource in
            RefreshedDocument(
                name: "colleague directory", resource: Self.cached(resource, at: directories.cache + "/colleagues.json"),
                refresh: resource.refresh,
                parse: { body in
                    do throws(LookupError) {
                        let listing = try ColleagueDirectoryResponse.listing(in: body)
                        if let total = listing.total, total > listing.listed {
                            logger.warning("the colleague directory lists \(listing.listed) of its \(total) colleagues: add count=\(total) (or more) to [colleagues] url")
                        }
                        return .success(listing.numbers)
                    } catch {
                        return .failure(.init(message: error.message))
                    }
                },
                apply: { numbers in
                    if let merged = remote.setColleagueNumbers(numbers) { await box.agent?.reload(merged) }
                })
        }
        provisioning = base.provisioning.map { resource in
            let loader = ConfigurationLoader(environment: [:])
            return RefreshedDocument(
                name: "provisioned rules", resource: Self.cached(resource, at: directories.cache + "/provisioned.toml"),
                refresh: resource.refresh,
                parse: { body in
                    do throws(ConfigurationError) {
                        return .success(try loader.loadProvisioned(text: String(decoding: body, as: UTF8.self), name: URIUserinfo.redacted(resource.url)))
                    } catch {
                        return .failure(.init(message: error.description))
                    }
                },
                apply: { rules in
                    if let merged = remote.setProvisioned(rules) { await box.agent?.reload(merged) }
                })
        }
        // The last good copies count from the start, before any network.
        let cachedDirectory = directory?.cachedValue()
        if let cachedDirectory { _ = configuration.setColleagueNumbers(cachedDirectory.value) }
        let cachedRules = provisioning?.cachedValue()
        if let cachedRules { _ = configuration.setProvisioned(cachedRules.value) }
        cachedCopies = (cachedDirectory?.copy, cachedRules?.copy)
    }

    /// The configuration to start the agent with.
    public var effective: Configuration { configuration.effective }

    /// The files' configuration changed: the merged one to put in force.
    public func rebase(_ base: Configuration) -> Configuration {
        configuration.rebase(base)
    }

    /// Observes `agent` for callbacks only (`simulate`: no spool, no refreshes).
    public func observe(_ agent: Agent) async {
        agentBox.agent = agent
        await agent.observe(dispatcher)
        if let callerLookup {
            await callerLookup.prepare()
            await agent.lookUpCallers(with: callerLookup)
        }
    }

    /// Observes `agent` for callbacks, sends what the spool kept from the last run, and
    /// starts the refreshes.
    public func start(agent: Agent) async {
        await observe(agent)
        if let delivery {
            let resumed = await delivery.resume()
            if resumed > 0 { logger.info("\(resumed) callback\(resumed == 1 ? "" : "s") from the spool to send") }
        }
        let client = http
        let logger = self.logger
        var started: [Task<Void, Never>] = []
        if let directory {
            let copy = cachedCopies.directory
            started.append(Task { await directory.run(client: client, logger: logger, current: copy) })
        }
        if let provisioning {
            let copy = cachedCopies.provisioning
            started.append(Task { await provisioning.run(client: client, logger: logger, current: copy) })
        }
        tasks.withLock { $0 += started }
    }

    /// Waits up to `bound` for callbacks still being delivered (at the end of an event file).
    public func drain(within bound: Duration) async {
        guard let delivery else { return }
        let waiting = Task { await delivery.waitUntilIdle() }
        let timer = Task {
            try? await Task.sleep(for: bound)
            waiting.cancel()
            await delivery.stop()
        }
        await waiting.value
        timer.cancel()
    }

    /// Stops refreshing and delivering; callbacks not yet delivered stay in the spool.
    public func stop() async {
        for task in tasks.withLock({ $0 }) { task.cancel() }
        await delivery?.stop()
        http.shutdown()
    }

    private static func cached(_ resource: RemoteResource, at path: String) -> CachedResource {
        CachedResource(
            request: HTTPRequest(
                url: resource.url, headers: resource.headers,
                caFile: resource.caFile, maximumResponseBytes: 4 << 20),
            path: path)
    }
}

/// The agent, once there is one, for refreshes that put a new configuration in force.
private final class AgentSlot: Sendable {
    private let slot = Mutex<Agent?>(nil)
    var agent: Agent? {
        get { slot.withLock { $0 } }
        set { slot.withLock { $0 = newValue } }
    }
}

/// The agent's own directories under the XDG base directories (relative values ignored).
struct StateDirectories {
    /// `$XDG_STATE_HOME/callpop` (`~/.local/state/callpop`): the callback spool.
    let state: String
    /// `$XDG_CACHE_HOME/callpop` (`~/.cache/callpop`): last good copies of fetched documents.
    let cache: String

    init(environment: [String: String]) {
        func base(_ key: String, _ fallback: String) -> String {
            if let value = environment[key], value.hasPrefix("/") { return value }
            return (environment["HOME"] ?? "") + fallback
        }
        state = base("XDG_STATE_HOME", "/.local/state") + "/callpop"
        cache = base("XDG_CACHE_HOME", "/.cache") + "/callpop"
    }
}
