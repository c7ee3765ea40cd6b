public import CallPopCore
internal import FoundationEssentials

/// Answers of directories asked over the network per call (LDAP, CRM APIs), kept with the
/// time they came so a second call from the same number needs no network, and kept on disk
/// so a restart keeps them. Both kinds are kept: a contact for `found_ttl`, "nobody" for
/// `not_found_ttl`; failures never (the directory is asked again once it is back).
///
/// Pure: the caller passes the wall-clock time (seconds since the epoch, which survive a
/// restart) and reads and writes the bytes. Bounded: at most `maximumEntries` numbers per
/// directory, the oldest answers dropped first.
public struct LookupCache: Sendable, Codable, Hashable {
    struct Entry: Sendable, Codable, Hashable {
        /// The contacts found; empty: nobody.
        var contacts: [Contact]
        /// When the answer came, in seconds since the epoch.
        var stored: Int64
    }

    struct Book: Sendable, Codable, Hashable {
        /// The directory's `cacheIdentity` when the answers came.
        var identity: String
        var entries: [String: Entry]
    }

    /// The most numbers kept per directory.
    public static let maximumEntries = 5000

    /// The number plan the keys were made with (`+49…` means nothing under another plan).
    private(set) var plan: String
    private var books: [String: Book] = [:]

    /// An empty cache for keys made with `plan`.
    public init(plan: NumberPlan) {
        self.plan = Self.describe(plan)
    }

    /// The cache key of `number`: its E.164 form, else how it was written and its digits;
    /// nil for a text that is no phone number (nothing is looked up, nothing is kept).
    public static func key(for number: String, matcher: NumberMatcher) -> String? {
        guard let parsed = matcher.number(number) else { return nil }
        if let e164 = parsed.e164 { return e164 }
        switch parsed.form {
        case .international: return "+" + parsed.digits
        case .national: return "national:" + parsed.digits
        case .local: return "local:" + parsed.digits
        }
    }

    /// The answer `directory` gave for `key` while it is fresh, or nil.
    public func answer(_ directory: DirectorySettings, key: String, now: Int64, foundTTL: Duration, notFoundTTL: Duration) -> DirectoryAnswer? {
        guard let book = books[directory.name], book.identity == directory.cacheIdentity, let entry = book.entries[key] else { return nil }
        let ttl = entry.contacts.isEmpty ? notFoundTTL : foundTTL
        let age = now - entry.stored
        guard age >= 0, age < ttl.components.seconds else { return nil }
        return DirectoryAnswer(entry.contacts)
    }

    /// Keeps `answer` (found or not found; nothing else) of `directory` for `key`; whether
    /// the cache changed.
    @discardableResult
    public mutating func store(_ answer: DirectoryAnswer, of directory: DirectorySettings, key: String, now: Int64) -> Bool {
        let contacts: [Contact]
        switch answer {
        case .found(let found): contacts = found
        case .notFound: contacts = []
        case .failed, .skipped: return false
        }
        var book = books[directory.name] ?? Book(identity: directory.cacheIdentity, entries: [:])
        if book.identity != directory.cacheIdentity { book = Book(identity: directory.cacheIdentity, entries: [:]) }
        book.entries[key] = Entry(contacts: contacts, stored: now)
        if book.entries.count > Self.maximumEntries {
            // Drop the oldest tenth at once, so a full cache does not sort on every store.
            let oldest = book.entries.sorted { $0.value.stored < $1.value.stored }.prefix(Self.maximumEntries / 10)
            for (gone, _) in oldest { book.entries[gone] = nil }
        }
        books[directory.name] = book
        return true
    }

    /// Drops what no longer counts: answers of directories gone from the configuration or
    /// configured differently, and answers older than their time to live.
    public mutating func prune(keeping directories: [DirectorySettings], now: Int64, foundTTL: Duration, notFoundTTL: Duration) {
        var kept: [String: Book] = [:]
        for directory in directories where directory.cachesAnswers {
            guard var book = books[directory.name], book.identity == directory.cacheIdentity else { continue }
            book.entries = book.entries.filter { _, entry in
                let ttl = entry.contacts.isEmpty ? notFoundTTL : foundTTL
                return now - entry.stored >= 0 && now - entry.stored < ttl.components.seconds
            }
            kept[directory.name] = book
        }
        books = kept
    }

    /// How many answers are kept, over all directories.
    public var count: Int { books.values.reduce(0) { $0 + $1.entries.count } }

    /// The cache as bytes for its file.
    public func encoded() -> [UInt8] {
        (try? Array(JSONEncoder().encode(self))) ?? []
    }

    /// The cache in `bytes`; an empty one when they are unreadable or were made with another plan.
    public static func decoded(_ bytes: [UInt8], plan: NumberPlan) -> LookupCache {
        guard let cache = try? JSONDecoder().decode(LookupCache.self, from: Data(bytes)), cache.plan == describe(plan) else {
            return LookupCache(plan: plan)
        }
        return cache
    }

    private static func describe(_ plan: NumberPlan) -> String {
        "\(plan.countryCode)|\(plan.nationalPrefix)|\(plan.internationalPrefix)"
    }
}
