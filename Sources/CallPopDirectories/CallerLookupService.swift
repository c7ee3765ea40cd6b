public import CallPopCore
public import CallPopHTTP
public import CallPopLookup
import CallPopPlatform
public import Logging
import Synchronization

/// Looks callers up in every enabled `[[directory]]` at once: a lookup returns a
/// `LookupRound` at once and the directories answer into it in the background, each within
/// its own timeout. Answers of directories asked over the network (LDAP, CRM APIs) are
/// cached on disk (`$XDG_CACHE_HOME/callpop/lookup-cache.json`, mode 600), found and not
/// found alike, so a second call from the same number sends nothing and a restart keeps
/// them. A directory that fails is reported once and rests (`DirectoryHealth`): it is
/// skipped, not retried per call, until its back-off passes.
public final class CallerLookupService: Sendable {
    /// The settings in force.
    public let settings: LookupSettings
    private let directories: [any ContactDirectory]
    private let matcher: NumberMatcher
    private let cache: Mutex<LookupCache>
    private let health: Mutex<[String: DirectoryHealth]>
    /// Lookups under way per directory: a flood of calls must not start a thread or a
    /// request per call without bound (LDAP runs each lookup on a thread of its own).
    private let inFlight = Mutex<[String: Int]>([:])
    /// The most lookups under way in one directory; beyond, it is skipped for that call.
    public static let maximumInFlight = 8
    private let cachePath: String?
    private let writer = CacheWriter()
    private let logger: Logger

    /// The service for `settings`; `cacheDirectory` (`$XDG_CACHE_HOME/callpop`) holds the
    /// answer cache and CardDAV mirrors, nil keeps nothing on disk. Nothing is read or sent
    /// before `prepare`.
    public init(settings: LookupSettings, plan: NumberPlan, client: HTTPClient, cacheDirectory: String?, logger: Logger) {
        self.settings = settings
        let matcher = NumberMatcher(plan: plan)
        self.matcher = matcher
        self.logger = logger
        cachePath = cacheDirectory.map { $0 + "/lookup-cache.json" }
        cache = Mutex(LookupCache(plan: plan))
        health = Mutex(Dictionary(settings.directories.map { ($0.name, DirectoryHealth()) }, uniquingKeysWith: { first, _ in first }))
        directories = settings.directories.map { directory -> any ContactDirectory in
            switch directory.kind {
            case .cardDAV(let dav):
                return CardDAVDirectory(
                    settings: directory, dav: dav, client: client, matcher: matcher,
                    mirrorPath: cacheDirectory.map { $0 + "/carddav-" + Self.fileName(directory.name) + ".json" }, logger: logger)
            case .ldap(let ldap):
                return LDAPContactDirectory(settings: directory, ldap: ldap, matcher: matcher)
            case .http(let api):
                return HTTPContactDirectory(settings: directory, api: api, client: client, matcher: matcher)
            case .file(let files):
                return FileContactDirectory(settings: directory, files: files, matcher: matcher)
            }
        }
    }

    /// Reads the cache and the local copies, and starts first syncs behind; returns without
    /// waiting for any network.
    public func prepare() async {
        if let cachePath {
            let plan = matcher.plan
            let read = await DetachedThread.value { (try? PrivateFiles.read(cachePath, limit: 64 << 20)) ?? nil } ?? nil
            var loaded = read.map { LookupCache.decoded($0, plan: plan) } ?? LookupCache(plan: plan)
            loaded.prune(keeping: settings.directories, now: WallClock.now, foundTTL: settings.foundTTL, notFoundTTL: settings.notFoundTTL)
            cache.withLock { $0 = loaded }
        }
        await withTaskGroup(of: Void.self) { group in
            for directory in directories where directory.settings.enabled {
                group.addTask { await directory.prepare() }
            }
        }
    }

    /// Starts looking `number` up in every enabled directory; the round fills as they answer.
    public func lookup(_ number: String) -> LookupRound {
        let enabled = directories.filter(\.settings.enabled)
        let round = LookupRound(directories: enabled.map(\.settings))
        guard let key = LookupCache.key(for: number, matcher: matcher) else {
            // No phone number (withheld, or text such as `*)(uid=*`): nobody, nothing is asked.
            for index in enabled.indices { round.record(.notFound, for: index) }
            return round
        }
        let now = WallClock.now
        for (index, directory) in enabled.enumerated() {
            let name = directory.settings.name
            if directory.settings.cachesAnswers, let cached = cache.withLock({
                $0.answer(directory.settings, key: key, now: now, foundTTL: settings.foundTTL, notFoundTTL: settings.notFoundTTL)
            }) {
                round.record(cached, for: index)
                continue
            }
            // Files are local: a missing one is read as soon as it exists, so it never rests.
            let available = !directory.settings.rests || health.withLock { $0[name]?.isAvailable(at: .now) ?? true }
            guard available else {
                round.record(.skipped("resting after failing; asked again later"), for: index)
                continue
            }
            let admitted = inFlight.withLock { counts in
                guard counts[name, default: 0] < Self.maximumInFlight else { return false }
                counts[name, default: 0] += 1
                return true
            }
            guard admitted else {
                round.record(.skipped("\(Self.maximumInFlight) lookups already under way"), for: index)
                continue
            }
            Task {
                let answer = await directory.lookup(number)
                self.inFlight.withLock { $0[name, default: 1] -= 1 }
                self.note(answer, of: directory.settings, key: key)
                round.record(answer, for: index)
            }
        }
        return round
    }

    /// What every directory (enabled or not) says about `number` now, asked directly —
    /// neither the cache nor a resting directory's back-off is used — with timings, for
    /// `callpop lookup`. Nothing is cached or written.
    public func inspect(_ number: String) async -> LookupReport {
        let key = LookupCache.key(for: number, matcher: matcher)
        let now = WallClock.now
        var entries: [LookupReport.Entry] = []
        await withTaskGroup(of: (Int, LookupReport.Entry).self) { group in
            for (index, directory) in directories.enumerated() {
                let cached = key.flatMap { key in
                    cache.withLock { $0.answer(directory.settings, key: key, now: now, foundTTL: settings.foundTTL, notFoundTTL: settings.notFoundTTL) }
                }
                group.addTask {
                    var entry = LookupReport.Entry(settings: directory.settings, answer: .skipped("disabled"), cached: cached)
                    guard directory.settings.enabled else { return (index, entry) }
                    guard key != nil else {
                        entry.answer = .skipped("no phone number")
                        return (index, entry)
                    }
                    let started = ContinuousClock.now
                    entry.answer = await directory.lookup(number)
                    entry.elapsed = .now - started
                    entry.state = directory.summary()
                    return (index, entry)
                }
            }
            var collected: [(Int, LookupReport.Entry)] = []
            for await item in group { collected.append(item) }
            entries = collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var tally = LookupTally(directories: entries.map(\.settings.name))
        for (index, entry) in entries.enumerated() { tally.record(entry.answer, for: index) }
        let contact = tally.best.flatMap { best in
            entries.first { $0.settings.name == best.directory }.map { best.callerContact(recordHosts: RecordHosts($0.settings.recordHosts)) }
        }
        return LookupReport(number: number, normalized: key, plan: matcher.plan, entries: entries, contact: contact)
    }

    /// Records a directory's answer: health (reported once each way) and the cache.
    private func note(_ answer: DirectoryAnswer, of directory: DirectorySettings, key: String) {
        var generator = SystemRandomNumberGenerator()
        let report = health.withLock { health -> DirectoryHealth.Report in
            var state = health[directory.name] ?? DirectoryHealth()
            defer { health[directory.name] = state }
            switch answer {
            case .failed(let message): return state.failed(message, at: .now, using: &generator)
            case .found, .notFound: return state.succeeded()
            case .skipped: return .none
            }
        }
        switch report {
        case .down(let message):
            logger.warning("directory \(directory.name) (\(directory.typeName)) failed: \(message); it is skipped for a while, not asked on every call")
        case .recovered:
            logger.info("directory \(directory.name) (\(directory.typeName)) answers again")
        case .none: break
        }
        guard directory.cachesAnswers, let cachePath else { return }
        let bytes = cache.withLock { cache -> [UInt8]? in
            cache.store(answer, of: directory, key: key, now: WallClock.now) ? cache.encoded() : nil
        }
        if let bytes { Task { await writer.save(bytes, to: cachePath, logger: logger) } }
    }

    /// A directory's name as part of a file name.
    static func fileName(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    }
}

/// Writes a private file (the answer cache, a CardDAV mirror) one version at a time, off the cooperative pool; versions that
/// arrive while one is written are coalesced into the newest.
actor CacheWriter {
    private var pending: [UInt8]?
    private var writing = false

    func save(_ bytes: [UInt8], to path: String, logger: Logger) async {
        pending = bytes
        guard !writing else { return }
        writing = true
        while let next = pending {
            pending = nil
            let failure = await DetachedThread.value { () -> String? in
                do {
                    try PrivateFiles.makeDirectory(String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]))
                    try PrivateFiles.write(next, to: path)
                    return nil
                } catch {
                    return "\(error)"
                }
            } ?? "no thread to write it"
            if let failure { logger.warning("\(path) was not saved: \(failure)") }
        }
        writing = false
    }
}
