public import CallPopCore
public import CallPopAMI
public import CallPopSIP
public import CallPopLookup

/// A loaded, validated configuration.
public struct Configuration: Sendable {
    /// The files it was read from, system defaults first.
    public var files: [String]
    /// The rules and everything the decision engine needs.
    public var ruleSet: RuleSet
    /// Where call events come from, as written.
    public var pbx: PBXSettings
    /// Where call events come from, validated for its source.
    public var connection: PBXConnection
    /// Desktop notification settings.
    public var notifications: NotificationPreferences
    /// How URLs are opened inside a sandbox.
    public var portal: PortalMode
    /// The call history journal.
    public var history = HistoryPreferences()
    /// Warnings found while loading (a program not on PATH, ...).
    public var warnings: [ConfigDiagnostic]
    /// `[[callback]]`: HTTP requests for new, updated and ended calls.
    public var callbacks: [CallbackRule] = []
    /// `[colleagues] url`: a directory of colleague numbers, refreshed over HTTP.
    public var colleagueDirectory: RemoteResource?
    /// `[provisioning] url`: rules an administrator provides, refreshed over HTTP.
    public var provisioning: RemoteResource?
    /// `[dial]`: click-to-dial (the plan with its defaults when the table is absent).
    public var dial: DialSettings?
    /// `[lookup]` and `[[directory]]`: where callers are looked up.
    public var lookup = LookupSettings()
    /// Environment variables secrets are (or may be) read from (`password_env` of `[pbx]` and
    /// of directories, `env:` secret headers of callbacks, directories, `[dial]`, the stream,
    /// the colleague directory and provisioning, the PBX password's default): programs callpop
    /// starts never inherit them.
    public var secretEnvironment: Set<String> = SecretVariables.always

    /// `environment` as programs callpop starts inherit it (`SecretVariables.childEnvironment`).
    public func childEnvironment(_ environment: [String: String]) -> [String: String] {
        SecretVariables.childEnvironment(environment, withholding: secretEnvironment)
    }
}

/// Something fetched over HTTP now and then (`[colleagues] url`, `[provisioning] url`).
public struct RemoteResource: Sendable, Hashable {
    /// The URL, variables expanded.
    public var url: String
    /// Headers to send (a bearer token, secret headers), secrets marked.
    public var headers: [HeaderField]
    /// CAs to trust for the server.
    public var caFile: String?
    /// How often it is fetched again.
    public var refresh: Duration

    /// Creates a resource.
    public init(url: String, headers: [HeaderField] = [], caFile: String? = nil, refresh: Duration = .seconds(3600)) {
        self.url = url
        self.headers = headers
        self.caFile = caFile
        self.refresh = refresh
    }
}

/// Where to open URLs through the XDG desktop portal instead of the opener.
public enum PortalMode: String, Sendable, Hashable, CaseIterable {
    /// Inside Flatpak only.
    case auto
    /// Always.
    case always
    /// Never.
    case never
}

/// `[notifications]`: the caller notification and its on-click actions.
public struct NotificationPreferences: Sendable, Hashable {
    /// Whether to show notifications at all.
    public var enabled: Bool
    /// Which call phases show one: `ringing`, `answered`, `missed`.
    public var phases: Set<String>
    /// The icon name of ringing and answered calls; empty: the best one an installed icon theme has.
    public var icon: String
    /// Seconds the PBX may be unreachable before a notification says popups stopped.
    public var problemDelay: Int

    /// The defaults: on, for every phase.
    public init(
        enabled: Bool = true, phases: Set<String> = ["ringing", "answered", "missed"], icon: String = "",
        problemDelay: Int = 30
    ) {
        self.enabled = enabled
        self.phases = phases
        self.icon = icon
        self.problemDelay = problemDelay
    }
}

/// `[history]`: the call history journal.
public struct HistoryPreferences: Sendable, Hashable {
    /// Whether calls and their popups are written to the journal.
    public var enabled = true
    /// The most the journal's two files take together, in bytes.
    public var maximumBytes = 4 * 1024 * 1024

    /// The defaults: on, 4 MiB.
    public init() {}
}

/// `[pbx]`: where call events come from. The source-specific keys are kept as
/// values and turned into each source's own configuration by the runtime.
public struct PBXSettings: Sendable, Hashable {
    /// Which source.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// No PBX configured: only `--events` input and clicks.
        case none
        /// Asterisk Manager Interface.
        case ami
        /// SIP dialog-event subscription.
        case sip
        /// An NDJSON event stream from a file or FIFO.
        case events
        /// NDJSON or server-sent events over HTTP(S) or a Unix socket, from a bridge.
        case stream
    }

    /// Which source.
    public var source: Source
    /// The source's keys, as written (secrets excluded).
    public var values: [String: ConfigValue]
    /// The password or token, read from `password_file` or the environment, never from the file.
    public var secret: String?

    /// Creates settings.
    public init(source: Source = .none, values: [String: ConfigValue] = [:], secret: String? = nil) {
        self.source = source
        self.values = values
        self.secret = secret
    }

    /// A string value.
    public func string(_ key: String) -> String? {
        if case .string(let s)? = values[key] { s } else { nil }
    }

    /// An integer value.
    public func integer(_ key: String) -> Int? {
        if case .integer(let i)? = values[key] { i } else { nil }
    }

    /// An array of strings.
    public func strings(_ key: String) -> [String]? {
        guard case .array(let items)? = values[key] else { return nil }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }
}

/// The validated PBX connection of `[pbx]`.
public enum PBXConnection: Sendable {
    /// No PBX: only `--events` input and clicks.
    case none
    /// An NDJSON file or FIFO.
    case events(path: String)
    /// Asterisk Manager Interface.
    case ami(AMISourceConfiguration)
    /// SIP dialog-event subscription with the user's own account.
    case sip(SIPSourceConfiguration)
    /// An HTTP event stream from a bridge.
    case stream(StreamSourceConfiguration)
}
