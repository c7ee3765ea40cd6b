/// Why an LDAP lookup failed: the one error type of `CallPopLDAP`.
public struct LDAPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure it is: what a caller does about it depends on this.
    public enum Code: Sendable, Hashable {
        /// The settings cannot work (a URI that is not `ldap://` or `ldaps://`).
        case invalidSettings
        /// The server cannot be reached (refused, no route, name not found): it is down.
        case serverDown
        /// No answer within the timeout.
        case timeout
        /// The bind DN or password was refused.
        case invalidCredentials
        /// StartTLS or the TLS handshake failed (certificate not trusted, no TLS on the server).
        case tlsFailed
        /// The server refused the search (bad base, bad filter, no permission).
        case searchFailed
        /// No thread could be started for the lookup.
        case noThread
    }

    /// The kind of failure.
    public var code: Code
    /// libldap's result code (`LDAP_INVALID_CREDENTIALS` = 49, `LDAP_SERVER_DOWN` = -1, …), 0 when none.
    public var resultCode: Int32
    /// What happened, safe to log: libldap's text and the server's diagnostic, cleaned; never a password.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, resultCode: Int32 = 0, _ message: String) {
        self.code = code
        self.resultCode = resultCode
        self.message = message
    }

    /// A one-line explanation.
    public var description: String { message }
}
