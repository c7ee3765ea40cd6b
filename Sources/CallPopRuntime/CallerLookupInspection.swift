public import CallPopConfig
public import CallPopDirectories
import CallPopCore
import CallPopHTTP
public import Logging

/// `callpop lookup NUMBER`: every directory asked about one number, as the agent would ask
/// it (its cache and CardDAV copies under `$XDG_CACHE_HOME/callpop` read, the answer cache
/// not changed).
public enum CallerLookupInspection {
    /// What every directory of `configuration` says about `number`.
    public static func report(
        _ number: String, configuration: Configuration, environment: [String: String], logger: Logger
    ) async -> LookupReport {
        let client = HTTPClient(userAgent: "callpop/\(Version.string)", proxies: ProxyEnvironment(environment: environment))
        defer { client.shutdown() }
        let service = CallerLookupService(
            settings: configuration.lookup, plan: configuration.ruleSet.user.numberPlan, client: client,
            cacheDirectory: StateDirectories(environment: environment).cache, logger: logger)
        await service.prepare()
        return await service.inspect(number)
    }
}
