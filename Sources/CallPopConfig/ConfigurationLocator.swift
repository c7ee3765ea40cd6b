/// Where configuration files live, per the XDG Base Directory Specification
/// (the user's file in `$XDG_CONFIG_HOME`, system-wide defaults in `$XDG_CONFIG_DIRS`).
public struct ConfigurationLocator: Sendable {
    /// The environment to read `XDG_*` and `HOME` from.
    public var environment: [String: String]

    /// Creates a locator.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The user's configuration file, `$XDG_CONFIG_HOME/callpop/config.toml`
    /// (`~/.config/callpop/config.toml` by default).
    public var userFile: String {
        if let base = environment["XDG_CONFIG_HOME"], base.hasPrefix("/") { return base + "/callpop/config.toml" }
        return (environment["HOME"] ?? "") + "/.config/callpop/config.toml"
    }

    /// The system-wide default files, most important first (`/etc/xdg/callpop/config.toml`).
    public var systemFiles: [String] {
        let dirs = (environment["XDG_CONFIG_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/xdg")
            .split(separator: ":").filter { $0.hasPrefix("/") }
        return dirs.map { $0 + "/callpop/config.toml" }
    }
}
