import CallPopCore
import CallPopHTTP
import CallPopLookup
import CallPopPlatform
internal import FoundationEssentials
import Logging
import Synchronization

/// A `carddav` directory: the address book mirrored locally and looked up in memory, so a
/// call costs no network. The mirror (ETags, sync token, contacts) is kept on disk (mode 600)
/// and synced incrementally (RFC 6578 `sync-collection`, or ETags for servers without it):
/// when the agent starts, and when a call finds the copy older than `refresh` — never on a
/// timer, so an idle agent sends nothing. A caller the copy does not know waits for that sync
/// (within the timeout); a known one is answered at once and the sync runs behind.
final class CardDAVDirectory: ContactDirectory {
    /// Members fetched per `addressbook-multiget`.
    static let batchSize = 100
    /// The largest response accepted (a multiget of a batch with photos).
    static let maximumResponseBytes = 32 << 20

    let settings: DirectorySettings
    private let dav: CardDAVDirectorySettings
    private let client: HTTPClient
    private let matcher: NumberMatcher
    private let mirrorPath: String?
    private let logger: Logger
    private let syncing = ReloadGate()
    private let mirrorWriter = CacheWriter()

    private struct State {
        var book: CardDAVAddressBook
        var index: ContactIndex
        /// When the last sync ended (successfully or not); nil before the first.
        var lastAttempt: ContinuousClock.Instant?
        /// When the copy was last known current.
        var lastSync: ContinuousClock.Instant?
        /// Whether the copy holds what a sync (now or in an earlier run) fetched.
        var hasCopy = false
        var health = DirectoryHealth()
        /// The server refused `sync-collection`: list ETags instead.
        var listsETags = false
    }

    private let state: Mutex<State>

    init(settings: DirectorySettings, dav: CardDAVDirectorySettings, client: HTTPClient, matcher: NumberMatcher, mirrorPath: String?, logger: Logger) {
        self.settings = settings
        self.dav = dav
        self.client = client
        self.matcher = matcher
        self.mirrorPath = mirrorPath
        self.logger = logger
        state = Mutex(State(book: CardDAVAddressBook(directory: settings.name, collectionPath: dav.url), index: ContactIndex(matcher: matcher)))
    }

    /// Reads the mirror from disk and starts a sync behind.
    func prepare() async {
        if let mirrorPath, let book = await DetachedThread.value({ Self.readMirror(mirrorPath) }) ?? nil,
           book.directory == settings.name, book.collectionPath == CardDAVAddressBook(directory: settings.name, collectionPath: dav.url).collectionPath {
            let index = ContactIndex(book.contacts, matcher: matcher)
            state.withLock { state in
                state.book = book
                state.index = index
                state.hasCopy = true
            }
        }
        Task { await self.sync() }
    }

    func lookup(_ number: String) async -> DirectoryAnswer {
        let now = ContinuousClock.now
        let (index, stale) = state.withLock { state in
            (state.index, state.lastSync.map { now - $0 > dav.refresh } ?? true)
        }
        let found = index.lookup(number)
        if !found.isEmpty {
            if stale { Task { await self.sync() } }
            return .found(found)
        }
        if stale {
            // Maybe the caller was added since: wait for the sync, within the timeout.
            let sync = Task { await self.sync() }
            let shot = OneShot<Void>()
            Task { await sync.value; shot.fulfil(()) }
            _ = await shot.value(within: settings.timeout)
        }
        let (current, hasCopy, failure) = state.withLock { ($0.index, $0.hasCopy, $0.health.lastFailure) }
        guard hasCopy else { return .failed(failure ?? "the address book has not been synced yet") }
        return DirectoryAnswer(current.lookup(number))
    }

    func summary() -> String {
        state.withLock { state in
            let count = state.book.contacts.count
            var text = "\(count) contact\(count == 1 ? "" : "s")"
            if let last = state.lastSync {
                text += ", synced \(Int((ContinuousClock.now - last) / .seconds(1))) s ago"
            } else if state.hasCopy {
                text += " from the last run's copy"
            }
            if state.health.isFailing, let failure = state.health.lastFailure { text += "; last sync failed: \(failure)" }
            return text
        }
    }

    // MARK: Syncing

    /// One sync, unless one is running (then its end is awaited) or the server rests after
    /// failing (then nothing is sent: no retry per call).
    func sync() async {
        await syncing.once {
            let available = self.state.withLock { $0.health.isAvailable(at: .now) }
            guard available else { return }
            let (book, listsETags) = self.state.withLock { ($0.book, $0.listsETags) }
            let outcome = await self.synced(book, listsETags: listsETags)
            self.finish(outcome)
        }
    }

    private enum SyncOutcome {
        case synced(CardDAVAddressBook, changed: Bool, listsETags: Bool)
        case failed(String)
    }

    private func finish(_ outcome: SyncOutcome) {
        var generator = SystemRandomNumberGenerator()
        var mirror: CardDAVAddressBook?
        let (report, hadCopy) = state.withLock { state -> (DirectoryHealth.Report, Bool) in
            state.lastAttempt = .now
            switch outcome {
            case .synced(let book, let changed, let listsETags):
                if changed || !state.hasCopy {
                    state.index = ContactIndex(book.contacts, matcher: matcher)
                    mirror = book
                }
                state.book = book
                state.hasCopy = true
                state.lastSync = .now
                state.listsETags = listsETags
                return (state.health.succeeded(), true)
            case .failed(let message):
                return (state.health.failed(message, at: .now, using: &generator), state.hasCopy)
            }
        }
        switch report {
        case .down(let message) where hadCopy:
            // Without a copy, lookups fail and the lookup service reports it.
            logger.warning("directory \(settings.name): syncing the address book failed: \(message); the local copy is used meanwhile")
        case .recovered:
            logger.info("directory \(settings.name): the address book syncs again")
        default: break
        }
        if let mirror, let mirrorPath { saveMirror(mirror, to: mirrorPath) }
    }

    /// `book` brought up to date with the server.
    private func synced(_ start: CardDAVAddressBook, listsETags: Bool) async -> SyncOutcome {
        var book = start
        var changed = false
        var resetOnce = false
        if !listsETags {
            // Rounds: a truncated answer (507) asks for another with the new token.
            for _ in 0..<100 {
                let response: HTTPResponse
                do { response = try await send(.syncCollection(since: book.syncToken)) } catch { return .failed(error.message) }
                if response.status == 207 {
                    let changes: CardDAVChanges
                    do { changes = book.changes(fromSync: try DAVMultistatus(parsing: response.body)) } catch { return .failed(error.message) }
                    switch await fetch(changes, into: &book) {
                    case .failure(let message): return .failed(message)
                    case .success(let any): changed = changed || any
                    }
                    if !changes.truncated { return .synced(book, changed: changed, listsETags: false) }
                    continue
                }
                if book.syncToken != nil, !resetOnce, response.status == 403 || response.status == 409,
                   String(decoding: response.body, as: UTF8.self).contains("valid-sync-token") {
                    // The server forgot our token: a full listing, which fetches only changed ETags.
                    book.resetSyncToken()
                    resetOnce = true
                    continue
                }
                guard [400, 403, 405, 415, 501].contains(response.status) else { return .failed(Self.statusMessage(response.status)) }
                break  // no sync-collection here: list ETags
            }
        }
        let response: HTTPResponse
        do { response = try await send(.memberETags) } catch { return .failed(error.message) }
        guard response.status == 207 else { return .failed(Self.statusMessage(response.status)) }
        let changes: CardDAVChanges
        do { changes = book.changes(fromListing: try DAVMultistatus(parsing: response.body)) } catch { return .failed(error.message) }
        switch await fetch(changes, into: &book) {
        case .failure(let message): return .failed(message)
        case .success(let any): return .synced(book, changed: changed || any, listsETags: true)
        }
    }

    private enum FetchResult {
        case success(Bool)
        case failure(String)
    }

    /// Fetches `changes.fetch` in batches and applies them; the token advances only when
    /// everything arrived. Success says whether anything changed.
    private func fetch(_ changes: CardDAVChanges, into book: inout CardDAVAddressBook) async -> FetchResult {
        guard !changes.isEmpty else {
            book.apply(changes, fetched: nil)
            return .success(false)
        }
        var missing = 0
        let batches = stride(from: 0, to: changes.fetch.count, by: Self.batchSize).map { Array(changes.fetch[$0..<min($0 + Self.batchSize, changes.fetch.count)]) }
        for (number, batch) in batches.enumerated() {
            let response: HTTPResponse
            do { response = try await send(.addressBookMultiget(batch)) } catch { return .failure(error.message) }
            guard response.status == 207 else { return .failure(Self.statusMessage(response.status)) }
            let fetched: DAVMultistatus
            do { fetched = try DAVMultistatus(parsing: response.body) } catch { return .failure(error.message) }
            let last = number == batches.count - 1
            var part = CardDAVChanges(fetch: batch, deleted: number == 0 ? changes.deleted : [], newToken: last && missing == 0 ? changes.newToken : nil)
            part.truncated = changes.truncated
            missing += book.apply(part, fetched: fetched).count
        }
        if changes.fetch.isEmpty { book.apply(changes, fetched: nil) }
        return .success(true)
    }

    private func send(_ dav: CardDAVRequest) async throws(HTTPError) -> HTTPResponse {
        var headers = [HTTPHeader("Depth", dav.depth), HTTPHeader("Content-Type", CardDAVRequest.contentType)]
        if !self.dav.user.isEmpty {
            let credentials = Data((self.dav.user + ":" + (self.dav.password?.value ?? "")).utf8).base64EncodedString()
            headers.append(HTTPHeader("Authorization", "Basic " + credentials, isSecret: true))
        }
        return try await client.send(HTTPRequest(
            method: dav.method, url: self.dav.url, headers: headers, body: Array(dav.body.utf8), timeout: settings.timeout,
            connectTimeout: settings.timeout, caFile: self.dav.caFile, maximumResponseBytes: Self.maximumResponseBytes))
    }

    private static func statusMessage(_ status: Int) -> String {
        switch status {
        case 401: "the server refused the user name or password (HTTP 401)"
        case 403: "the server refused access to the address book (HTTP 403)"
        case 404: "no address book at this URL (HTTP 404)"
        default: "the server answered HTTP \(status)"
        }
    }

    // MARK: The mirror on disk

    private static func readMirror(_ path: String) -> CardDAVAddressBook? {
        guard let bytes = try? PrivateFiles.read(path, limit: 256 << 20) else { return nil }
        return try? JSONDecoder().decode(CardDAVAddressBook.self, from: Data(bytes))
    }

    private func saveMirror(_ book: CardDAVAddressBook, to path: String) {
        let (writer, logger, name) = (mirrorWriter, logger, settings.name)
        Task {
            guard let data = try? JSONEncoder().encode(book) else {
                logger.warning("directory \(name): the address book copy could not be encoded")
                return
            }
            await writer.save(Array(data), to: path, logger: logger)
        }
    }
}
