/// The XDG base directories of one user, read from the environment the way the XDG Base
/// Directory Specification says (relative values are ignored), so tests can point
/// everything at temporary directories.
public struct XDGDirectories: Sendable, Hashable {
    /// `$XDG_CONFIG_HOME`, or `~/.config`.
    public var configHome: String
    /// `$XDG_DATA_HOME`, or `~/.local/share`.
    public var dataHome: String
    /// `$XDG_DATA_DIRS`, or `/usr/local/share:/usr/share`.
    public var dataDirs: [String]
    /// `$XDG_STATE_HOME`, or `~/.local/state`.
    public var stateHome: String
    /// `$XDG_RUNTIME_DIR`, when set.
    public var runtimeDir: String?

    /// Reads the directories from `environment`.
    public init(environment: [String: String]) {
        func absolute(_ key: String) -> String? {
            guard let value = environment[key], value.hasPrefix("/") else { return nil }
            return value
        }
        let home = environment["HOME"] ?? ""
        configHome = absolute("XDG_CONFIG_HOME") ?? home + "/.config"
        dataHome = absolute("XDG_DATA_HOME") ?? home + "/.local/share"
        let dirs = (environment["XDG_DATA_DIRS"] ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        dataDirs = dirs.isEmpty ? ["/usr/local/share", "/usr/share"] : dirs
        stateHome = absolute("XDG_STATE_HOME") ?? home + "/.local/state"
        runtimeDir = absolute("XDG_RUNTIME_DIR")
    }

    /// Where callpop keeps its call history: `$XDG_STATE_HOME/callpop`.
    public var historyDirectory: String { stateHome + "/callpop" }
}
