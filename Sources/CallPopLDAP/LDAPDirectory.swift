public import CallPopLookup
internal import CallPopPlatform

/// An LDAP directory reached through Debian's OpenLDAP (libldap).
///
/// Each lookup opens a connection, optionally upgrades it with StartTLS, binds, searches and
/// disconnects, all on a dedicated thread (`DetachedThread`) within `settings.timeout`: libldap's
/// synchronous calls block, and blocking Swift's cooperative pool would stall the agent. The
/// caller awaits without holding a thread. A connection per lookup is deliberate: lookups are
/// once per call and cached, and a long-lived connection would need keep-alive and reconnects.
public struct LDAPDirectory: Sendable {
    /// The directory's settings.
    public let settings: LDAPSettings

    /// Checks `settings` (see `LDAPSettings`).
    public init(settings: LDAPSettings) throws(LDAPError) {
        try settings.validate()
        self.settings = settings
    }

    /// The entries `filter` finds under the base, with `attributes`.
    public func search(filter: String, attributes: [String]) async throws(LDAPError) -> [LDAPEntry] {
        let settings = settings
        let result = await DetachedThread.value {
            Result { () throws(LDAPError) -> [LDAPEntry] in
                let session = try LDAPSession(settings)
                try session.connect()
                return try session.search(filter: filter, attributes: attributes)
            }
        } ?? .failure(LDAPError(.noThread, "no thread could be started for the LDAP lookup"))
        return try result.get()
    }

    /// The contacts whose numbers match `number`, searched with `query`'s filter and confirmed
    /// by its matcher; empty without a search when `number` is no phone number.
    public func lookup(_ number: String, query: LDAPQuery) async throws(LDAPError) -> [Contact] {
        guard let filter = query.filter(for: number) else { return [] }
        return query.contacts(for: number, in: try await search(filter: filter, attributes: query.requestedAttributes))
    }
}
