/// What a sync found: the members to fetch (new or changed ETag) and those gone.
public struct CardDAVChanges: Sendable, Hashable {
    /// Hrefs to fetch with `CardDAVRequest.addressBookMultiget`, as the server wrote them.
    public var fetch: [String] = []
    /// Hrefs of members deleted on the server.
    public var deleted: [String] = []
    /// The sync token to keep once the fetches succeeded (`sync-collection` only).
    public var newToken: String?
    /// The server truncated its answer (`507`): sync again with `newToken` for the rest.
    public var truncated = false

    /// Whether nothing changed.
    public var isEmpty: Bool { fetch.isEmpty && deleted.isEmpty }

    /// Changes: what to fetch and what is gone, and the token once they are applied.
    public init(fetch: [String] = [], deleted: [String] = [], newToken: String? = nil, truncated: Bool = false) {
        self.fetch = fetch
        self.deleted = deleted
        self.newToken = newToken
        self.truncated = truncated
    }
}

/// A CardDAV address book mirrored locally: its sync token, the ETag and contacts of each
/// member. Pure: the caller sends the requests this type asks for and hands it the responses.
///
/// A sync round: `changes(fromSync:)` on a `sync-collection` response (or `changes(fromListing:)`
/// on a Depth 1 PROPFIND for servers without it), then `apply(_:fetched:)` with the
/// `addressbook-multiget` response for `changes.fetch`. The token advances only when every
/// change was fetched, so a failed fetch is retried by the next sync, and the ETags already
/// recorded keep that retry from fetching anything twice. `Codable`, so the mirror can be kept
/// on disk and a restart syncs from its token instead of from scratch.
public struct CardDAVAddressBook: Sendable, Codable {
    /// The `[[directory]]` name put in every contact.
    public let directory: String
    /// The address book's own path (its response in a listing is not a member).
    public let collectionPath: String
    /// The token of the last complete sync; `nil` before the first.
    public private(set) var syncToken: String?
    /// Members' ETags by path.
    public private(set) var etags: [String: String] = [:]
    /// Members' contacts by path.
    public private(set) var cards: [String: [Contact]] = [:]

    /// An empty mirror of the address book at `collectionPath` (a path or URL).
    public init(directory: String, collectionPath: String, syncToken: String? = nil) {
        self.directory = directory
        self.collectionPath = Self.path(collectionPath)
        self.syncToken = syncToken
    }

    /// Every contact, ordered by member path so an index built from it is the same each time.
    public var contacts: [Contact] {
        cards.keys.sorted().flatMap { cards[$0] ?? [] }
    }

    /// The changes in a `sync-collection` response.
    public func changes(fromSync response: DAVMultistatus) -> CardDAVChanges {
        var changes = CardDAVChanges(newToken: response.syncToken)
        for member in response.responses {
            let path = Self.path(member.href)
            if path == collectionPath {
                if member.status == 507 { changes.truncated = true }
                continue
            }
            if member.status == 404 {
                if etags[path] != nil || cards[path] != nil { changes.deleted.append(member.href) }
            } else if let etag = member.etag, etags[path] != etag, !member.isCollection {
                changes.fetch.append(member.href)
            }
        }
        return changes
    }

    /// The changes between the mirror and a Depth 1 PROPFIND listing of every member's ETag.
    public func changes(fromListing response: DAVMultistatus) -> CardDAVChanges {
        var changes = CardDAVChanges()
        var listed: Set<String> = []
        for member in response.responses where member.status == nil || member.status == 200 {
            let path = Self.path(member.href)
            guard path != collectionPath, !member.isCollection, let etag = member.etag else { continue }
            listed.insert(path)
            if etags[path] != etag { changes.fetch.append(member.href) }
        }
        changes.deleted = etags.keys.filter { !listed.contains($0) }.sorted()
        return changes
    }

    /// Applies `changes` with the multiget answer for `changes.fetch`; returns the hrefs that
    /// were asked for but not delivered (the token is then kept back for a retry).
    @discardableResult
    public mutating func apply(_ changes: CardDAVChanges, fetched: DAVMultistatus?) -> [String] {
        for href in changes.deleted { remove(Self.path(href)) }
        var delivered: Set<String> = []
        for member in fetched?.responses ?? [] {
            let path = Self.path(member.href)
            if member.status == 404 {
                remove(path)
                delivered.insert(path)
            } else if let data = member.addressData, let etag = member.etag {
                // One member holds one vCard; a broken one counts as having no contacts.
                cards[path] = (try? VCardReader.contacts(in: Array(data.utf8), directory: directory)) ?? []
                etags[path] = etag
                delivered.insert(path)
            }
        }
        let missing = changes.fetch.filter { !delivered.contains(Self.path($0)) }
        if missing.isEmpty, !changes.truncated, let token = changes.newToken { syncToken = token }
        return missing
    }

    /// Forgets the sync token (the server refused it as invalid): the next sync is a full one,
    /// which fetches only members whose ETag changed.
    public mutating func resetSyncToken() {
        syncToken = nil
    }

    private mutating func remove(_ path: String) {
        cards[path] = nil
        etags[path] = nil
    }

    /// `href` as a path without scheme, host and trailing `/`, percent-decoded (except `%2F`,
    /// which is not a separator), so a member written two ways (`b%40x.vcf`, `b@x.vcf`) is one key.
    /// In bytes: a combining mark after a `/` must not hide it (`https://host/\u{301}a.vcf`
    /// is a member, not the collection `/`).
    static func path(_ href: String) -> String {
        var utf8 = Array(href.utf8)[...]
        if let scheme = utf8.firstRange(of: Array("://".utf8)) {
            utf8 = utf8[scheme.upperBound...]
            utf8 = utf8.firstIndex(of: UInt8(ascii: "/")).map { utf8[$0...] } ?? [UInt8(ascii: "/")]
        }
        var bytes: [UInt8] = []
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let decoded = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16),
               decoded != UInt8(ascii: "/") {
                bytes.append(decoded)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
