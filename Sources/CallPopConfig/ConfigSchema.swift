internal import CallPopCore

/// The keys callpop knows, table by table: anything else is an error, so a typo
/// never silently turns a setting off.
enum ConfigSchema {
    static let tables: Set<String> = [
        "user", "pbx", "colleagues", "launch", "notifications", "popup", "callback", "provisioning", "dial", "history",
        "lookup", "directory",
    ]
    /// Tables written as `[[name]]`, lists of rules.
    static let ruleLists: Set<String> = ["popup", "callback", "directory"]

    static let user: Set<String> = ["number", "name", "country_code", "national_prefix", "international_prefix"]
    static let colleagues: Set<String> = Set(["numbers", "same_length_as_user"]).union(remote)
    static let launch: Set<String> = ["opener", "url_schemes", "max_per_minute", "portal"]
    static let notifications: Set<String> = ["enabled", "phases", "icon", "problem_delay"]
    static let history: Set<String> = ["enabled", "max_kb"]
    static let popup: Set<String> = [
        "id", "name", "direction", "trigger", "enabled", "url", "app", "called_numbers", "remote_numbers", "anonymous", "known", "directory",
    ]

    /// `[lookup]`: how long rules wait for caller lookup, how long answers are cached.
    static let lookup: Set<String> = ["budget", "cache_ttl", "negative_ttl"]
    /// Keys every `[[directory]]` has.
    static let directoryCommon: Set<String> = ["name", "type", "enabled", "timeout", "record_hosts"]
    /// Each directory type's own keys.
    static let directoryTypes: [String: Set<String>] = [
        "carddav": ["url", "user", "password_file", "password_env", "ca_file", "refresh"],
        "ldap": [
            "uri", "start_tls", "bind_dn", "password_file", "password_env", "base", "filter", "number_attributes",
            "name_attributes", "organisation_attributes", "url_attributes", "id_attribute", "ca_file", "size_limit",
        ],
        "http": ["url", "headers", "token_file", "secret_headers", "ca_file", "name_field", "company_field", "url_field", "id_field"],
        "file": ["path"],
    ]

    static let callback: Set<String> = [
        "id", "name", "events", "direction", "method", "url", "form", "json", "headers", "secret_headers", "token_file",
        "timeout", "max_age", "ca_file", "called_numbers", "remote_numbers", "colleagues", "enabled",
    ]
    /// Keys of a table that fetches something over HTTP (`[colleagues]`, `[provisioning]`).
    static let remote: Set<String> = ["url", "token_file", "secret_headers", "refresh", "ca_file"]
    static let provisioning: Set<String> = remote
    static let dial: Set<String> = [
        "context", "channel", "timeout", "prefix", "extension_digits", "rewrite", "deny", "confirm", "rate_limit",
        "url", "method", "form", "json", "headers", "token_file", "secret_headers", "ca_file", "app",
    ]

    /// `[pbx]` keys per source; `source` and the secret keys are valid for all.
    static let pbxCommon: Set<String> = ["source", "password_file", "password_env"]
    static let pbx: [PBXSettings.Source: Set<String>] = [
        .none: [],
        .events: ["path"],
        .stream: ["url", "token_file", "secret_headers", "ca_file", "reconnect_max"],
        .ami: ["url", "username", "ca_file", "devices", "ping_interval", "reconnect_max", "trunks"],
        .sip: ["uri", "username", "transport", "outbound_proxy", "expires", "extensions", "ca_file", "local_port"],
    ]

    /// The environment variable a PBX secret is read from when `password_env` is not set.
    static let defaultPasswordEnvironment = SecretVariables.defaultPBXPassword
}
