import CallPopLDAP
import CallPopLookup

/// An `ldap` directory: searched per call through libldap on a thread of its own
/// (`LDAPDirectory`), its entries confirmed by the number matcher.
struct LDAPContactDirectory: ContactDirectory {
    let settings: DirectorySettings
    private let directory: LDAPDirectory?
    private let query: LDAPQuery
    /// Why the settings cannot be used, when they cannot.
    private let problem: String?

    init(settings: DirectorySettings, ldap: LDAPDirectorySettings, matcher: NumberMatcher) {
        self.settings = settings
        query = ldap.query(directory: settings.name, matcher: matcher)
        let connection = LDAPSettings(
            uri: ldap.uri, startTLS: ldap.startTLS, bindDN: ldap.bindDN, password: ldap.password.map { LDAPPassword($0.value) },
            base: ldap.base, timeout: settings.timeout, caFile: ldap.caFile, sizeLimit: Int32(clamping: ldap.sizeLimit))
        do {
            directory = try LDAPDirectory(settings: connection)
            problem = nil
        } catch {
            directory = nil
            problem = error.message
        }
    }

    func lookup(_ number: String) async -> DirectoryAnswer {
        guard let directory else { return .failed(problem ?? "unusable LDAP settings") }
        do {
            return DirectoryAnswer(try await directory.lookup(number, query: query))
        } catch {
            return .failed(error.message)
        }
    }
}
