/// A password kept out of logs: its description is always `<redacted>`.
public struct LDAPPassword: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    /// Wraps a password read from a file or the environment.
    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// How to reach one LDAP directory (a `[[directory]]` entry with `type = "ldap"`).
public struct LDAPSettings: Sendable, Hashable {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    public var uri: String
    /// Upgrade an `ldap://` connection with StartTLS before binding (required to succeed).
    public var startTLS: Bool
    /// The DN to bind as; `nil` binds anonymously.
    public var bindDN: String?
    /// The bind password.
    public var password: LDAPPassword?
    /// The search base.
    public var base: String
    /// The whole lookup's budget: connecting, TLS, bind and search together.
    public var timeout: Duration
    /// A CA certificate file to trust instead of the system's.
    public var caFile: String?
    /// The most entries asked for (a number is rarely on more than a few).
    public var sizeLimit: Int32

    /// Creates settings.
    public init(
        uri: String, startTLS: Bool = false, bindDN: String? = nil, password: LDAPPassword? = nil, base: String,
        timeout: Duration = .seconds(2), caFile: String? = nil, sizeLimit: Int32 = 20
    ) {
        self.uri = uri
        self.startTLS = startTLS
        self.bindDN = bindDN
        self.password = password
        self.base = base
        self.timeout = timeout
        self.caFile = caFile
        self.sizeLimit = sizeLimit
    }

    /// Refuses settings libldap would misread: one `ldap://` or `ldaps://` URI, nothing else
    /// (libldap takes a space-separated list and other schemes such as `ldapi://`).
    func validate() throws(LDAPError) {
        let lowered = uri.lowercased()
        guard lowered.hasPrefix("ldap://") || lowered.hasPrefix("ldaps://"),
              !uri.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw LDAPError(.invalidSettings, "LDAP URI must be one ldap:// or ldaps:// URI")
        }
        guard !(startTLS && lowered.hasPrefix("ldaps://")) else {
            throw LDAPError(.invalidSettings, "StartTLS is for ldap:// URIs; ldaps:// is TLS from the start")
        }
        guard timeout > .zero else { throw LDAPError(.invalidSettings, "LDAP timeout must be positive") }
    }
}
