/// The keys callpop knows, table by table: anything else is an error, so a typo
/// never silently turns a setting off.
enum ConfigSchema {
    static let tables: Set<String> = ["user", "pbx", "colleagues", "launch", "notifications", "popup", "history"]

    static let user: Set<String> = ["number", "name", "country_code", "national_prefix", "international_prefix"]
    static let colleagues: Set<String> = ["numbers", "same_length_as_user"]
    static let launch: Set<String> = ["opener", "url_schemes", "max_per_minute", "portal"]
    static let notifications: Set<String> = ["enabled", "phases", "icon", "problem_delay"]
    static let history: Set<String> = ["enabled", "max_kb"]
    static let popup: Set<String> = [
        "id", "name", "direction", "trigger", "enabled", "url", "app", "called_numbers", "remote_numbers", "anonymous",
    ]

    /// `[pbx]` keys per source; `source` and the secret keys are valid for all.
    static let pbxCommon: Set<String> = ["source", "password_file", "password_env"]
    static let pbx: [PBXSettings.Source: Set<String>] = [
        .none: [],
        .events: ["path"],
        .ami: ["url", "username", "ca_file", "devices", "ping_interval", "reconnect_max", "trunks"],
        .sip: ["uri", "username", "transport", "outbound_proxy", "expires", "extensions", "ca_file", "local_port"],
    ]

    /// The environment variable a PBX secret is read from when `password_env` is not set.
    static let defaultPasswordEnvironment = "CALLPOP_PBX_PASSWORD"
}
