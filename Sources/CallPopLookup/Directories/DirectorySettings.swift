public import CallPopCore

/// A password or token read from a file or the environment: its description is always
/// `<redacted>`, so printing settings, an error or a log line never shows it.
public struct DirectorySecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself, for the one place that sends it.
    public let value: String

    /// Wraps a secret.
    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// One `[[directory]]` entry: where callers are looked up, validated at load.
public struct DirectorySettings: Sendable, Hashable {
    /// What kind of directory, with its own settings.
    public enum Kind: Sendable, Hashable {
        /// A CardDAV address book, mirrored locally and synced.
        case cardDAV(CardDAVDirectorySettings)
        /// An LDAP directory, searched per call.
        case ldap(LDAPDirectorySettings)
        /// A CRM's JSON API, asked per call.
        case http(HTTPDirectorySettings)
        /// vCard and CSV files on disk, reloaded when they change.
        case file(FileDirectorySettings)
    }

    /// The entry's name (`{DIRECTORY}`, rules' `directory` filter, log lines).
    public var name: String
    /// The directory's own settings.
    public var kind: Kind
    /// How long one lookup (or a CardDAV sync) may take in all.
    public var timeout: Duration
    /// Disabled entries are kept, shown by `callpop lookup`, and never asked.
    public var enabled: Bool
    /// Where a contact's record URL may point (`crm.example.com`, `*.example.com`): URLs on
    /// other hosts are dropped, so `{CONTACTURL}` only ever opens a page the user chose.
    public var recordHosts: [String]

    /// The default `timeout`.
    public static let defaultTimeout = Duration.seconds(3)

    /// Creates settings.
    public init(name: String, kind: Kind, timeout: Duration = DirectorySettings.defaultTimeout, enabled: Bool = true, recordHosts: [String] = []) {
        self.name = name
        self.kind = kind
        self.timeout = timeout
        self.enabled = enabled
        self.recordHosts = recordHosts
    }

    /// `carddav`, `ldap`, `http` or `file`, as configured.
    public var typeName: String {
        switch kind {
        case .cardDAV: "carddav"
        case .ldap: "ldap"
        case .http: "http"
        case .file: "file"
        }
    }

    /// Whether answers are cached on disk: directories asked over the network per call
    /// (LDAP, a CRM API). CardDAV and files are local copies already and always current.
    public var cachesAnswers: Bool {
        switch kind {
        case .ldap, .http: true
        case .cardDAV, .file: false
        }
    }

    /// Whether the directory rests after failing (`DirectoryHealth`): those reached over
    /// the network. A file is read again as soon as it is there.
    public var rests: Bool {
        if case .file = kind { false } else { true }
    }

    /// What an answer of this directory depends on, without secrets: a cached answer made
    /// under other settings (another URL, base or filter) is not used.
    public var cacheIdentity: String {
        let settings: String
        switch kind {
        case .cardDAV(let s): settings = "carddav \(s.url) \(s.user)"
        case .ldap(let s):
            settings = "ldap \(s.uri) \(s.bindDN ?? "") \(s.base) \(s.filter.source) \(s.numberAttributes) \(s.nameAttributes) "
                + "\(s.organisationAttributes) \(s.urlAttributes) \(s.idAttribute ?? "")"
        case .http(let s):
            settings = "http \(s.url.source) \(s.fields.name) \(s.fields.organisation?.description ?? "") "
                + "\(s.fields.url?.description ?? "") \(s.fields.id?.description ?? "")"
        case .file(let s): settings = "file \(s.paths)"
        }
        return settings
    }
}

/// `type = "carddav"`.
public struct CardDAVDirectorySettings: Sendable, Hashable {
    /// The address book's URL (`https://cloud.example.com/remote.php/dav/addressbooks/users/anna/contacts/`).
    public var url: String
    /// The user name for HTTP Basic authentication; empty: none.
    public var user: String
    /// The password (an app password), from a file or the environment.
    public var password: DirectorySecret?
    /// CAs to trust for the server.
    public var caFile: String?
    /// How old the local copy may get before a call syncs it again.
    public var refresh: Duration

    /// The default `refresh`.
    public static let defaultRefresh = Duration.seconds(15 * 60)

    /// Creates settings.
    public init(url: String, user: String = "", password: DirectorySecret? = nil, caFile: String? = nil, refresh: Duration = CardDAVDirectorySettings.defaultRefresh) {
        self.url = url
        self.user = user
        self.password = password
        self.caFile = caFile
        self.refresh = refresh
    }
}

/// `type = "ldap"`.
public struct LDAPDirectorySettings: Sendable, Hashable {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    public var uri: String
    /// Upgrade with StartTLS before binding.
    public var startTLS: Bool
    /// The DN to bind as; nil: anonymous.
    public var bindDN: String?
    /// The bind password, from a file or the environment.
    public var password: DirectorySecret?
    /// The search base.
    public var base: String
    /// The search filter template.
    public var filter: LDAPFilterTemplate
    /// Attributes with phone numbers.
    public var numberAttributes: [String]
    /// Attributes tried in order for the name.
    public var nameAttributes: [String]
    /// Attributes tried in order for the organisation.
    public var organisationAttributes: [String]
    /// Attributes tried in order for the record URL.
    public var urlAttributes: [String]
    /// The attribute used as the id; nil: the DN.
    public var idAttribute: String?
    /// CAs to trust for `ldaps://` and StartTLS.
    public var caFile: String?
    /// The most entries asked for.
    public var sizeLimit: Int

    /// Creates settings with the `inetOrgPerson` defaults.
    public init(
        uri: String, startTLS: Bool = false, bindDN: String? = nil, password: DirectorySecret? = nil, base: String,
        filter: LDAPFilterTemplate, numberAttributes: [String] = ["telephoneNumber", "mobile", "homePhone"],
        nameAttributes: [String] = ["displayName", "cn"], organisationAttributes: [String] = ["o", "company"],
        urlAttributes: [String] = ["labeledURI"], idAttribute: String? = nil, caFile: String? = nil, sizeLimit: Int = 20
    ) {
        self.uri = uri
        self.startTLS = startTLS
        self.bindDN = bindDN
        self.password = password
        self.base = base
        self.filter = filter
        self.numberAttributes = numberAttributes
        self.nameAttributes = nameAttributes
        self.organisationAttributes = organisationAttributes
        self.urlAttributes = urlAttributes
        self.idAttribute = idAttribute
        self.caFile = caFile
        self.sizeLimit = sizeLimit
    }

    /// The query for `directory` with `matcher`: the pure half of a search.
    public func query(directory: String, matcher: NumberMatcher) -> LDAPQuery {
        LDAPQuery(
            directory: directory, matcher: matcher, template: filter, numberAttributes: numberAttributes,
            nameAttributes: nameAttributes, organisationAttributes: organisationAttributes, urlAttributes: urlAttributes,
            idAttribute: idAttribute)
    }
}

/// `type = "http"`: a CRM's JSON API.
public struct HTTPDirectorySettings: Sendable, Hashable {
    /// The request URL, with `{CALLERNUM}` and its number forms.
    public var url: Template
    /// Headers to send (plain ones and secrets from files or the environment, marked).
    public var headers: [HeaderField]
    /// Where the response keeps the contact.
    public var fields: JSONContactFields
    /// CAs to trust for the server.
    public var caFile: String?

    /// Creates settings.
    public init(url: Template, headers: [HeaderField] = [], fields: JSONContactFields, caFile: String? = nil) {
        self.url = url
        self.headers = headers
        self.fields = fields
        self.caFile = caFile
    }
}

/// `type = "file"`: vCard and CSV files, or folders of them.
public struct FileDirectorySettings: Sendable, Hashable {
    /// Files (`.vcf`, `.vcard`, `.csv`) and folders holding them, absolute.
    public var paths: [String]

    /// Creates settings.
    public init(paths: [String]) {
        self.paths = paths
    }
}

/// `[lookup]` and every `[[directory]]`: how callers are looked up.
public struct LookupSettings: Sendable, Hashable {
    /// The directories, in the order their answers are preferred.
    public var directories: [DirectorySettings]
    /// How long a rule that uses the contact waits for the answer at most.
    public var budget: Duration
    /// How long a found contact is kept in the cache.
    public var foundTTL: Duration
    /// How long "nobody" is kept in the cache.
    public var notFoundTTL: Duration

    /// The default `budget`.
    public static let defaultBudget = Duration.milliseconds(300)
    /// The default `cache_ttl`.
    public static let defaultFoundTTL = Duration.seconds(24 * 3600)
    /// The default `negative_ttl`.
    public static let defaultNotFoundTTL = Duration.seconds(3600)

    /// Creates settings.
    public init(
        directories: [DirectorySettings] = [], budget: Duration = LookupSettings.defaultBudget,
        foundTTL: Duration = LookupSettings.defaultFoundTTL, notFoundTTL: Duration = LookupSettings.defaultNotFoundTTL
    ) {
        self.directories = directories
        self.budget = budget
        self.foundTTL = foundTTL
        self.notFoundTTL = notFoundTTL
    }

    /// The directories that are asked.
    public var enabledDirectories: [DirectorySettings] { directories.filter(\.enabled) }

    /// Whether any directory is asked.
    public var isActive: Bool { directories.contains(where: \.enabled) }
}
