internal import Glibc

/// Where the two autostart mechanisms keep their files for one user, derived from the
/// environment the way systemd and the XDG Autostart specification do, so tests can
/// point everything at temporary directories.
public struct AutostartLocations: Sendable, Hashable {
    /// The unit's file name.
    public static let unitName = "callpop.service"
    /// The autostart entry's file name.
    public static let entryName = "callpop.desktop"
    /// The target whose `.wants` directory holds the enablement link (`WantedBy=` in the unit).
    public static let wantedBy = "graphical-session.target"

    /// `$XDG_CONFIG_HOME`, or `~/.config`.
    public var configHome: String
    /// `$XDG_DATA_HOME`, or `~/.local/share`.
    public var dataHome: String
    /// `$XDG_DATA_DIRS`, or `/usr/local/share:/usr/share`.
    public var dataDirs: [String]
    /// `$XDG_RUNTIME_DIR`, when set.
    public var runtimeDir: String?

    /// Reads the locations from `environment` (`HOME`, `XDG_CONFIG_HOME`, `XDG_DATA_HOME`,
    /// `XDG_DATA_DIRS`, `XDG_RUNTIME_DIR`); relative values are ignored, as the spec says.
    public init(environment: [String: String]) {
        let directories = XDGDirectories(environment: environment)
        configHome = directories.configHome
        dataHome = directories.dataHome
        dataDirs = directories.dataDirs
        runtimeDir = directories.runtimeDir
    }

    /// The user's autostart entry, `~/.config/autostart/callpop.desktop`.
    public var userEntry: String { configHome + "/autostart/" + Self.entryName }

    /// The link `systemctl --user enable` makes:
    /// `~/.config/systemd/user/graphical-session.target.wants/callpop.service`.
    public var enablementLink: String { configHome + "/systemd/user/" + Self.wantedBy + ".wants/" + Self.unitName }

    /// Whether a systemd user manager runs for this user: its private socket exists.
    public var userManagerRuns: Bool {
        guard let runtimeDir else { return false }
        return access(runtimeDir + "/systemd/private", F_OK) == 0
    }

    /// The installed autostart entry to copy: `callpop/callpop.desktop` in the first
    /// data directory that has it (the package puts it in `/usr/share/callpop/`, where
    /// no desktop starts it by itself).
    public var installedEntry: String? {
        ([dataHome] + dataDirs).map { $0 + "/callpop/" + Self.entryName }.first(where: Self.isFile)
    }

    /// The unit file the enablement link points to, searched in systemd's user unit
    /// path order (user directories first, then the package's `/usr/lib/systemd/user`).
    public var installedUnit: String? {
        let directories = [configHome + "/systemd/user", dataHome + "/systemd/user"]
            + dataDirs.map { $0 + "/systemd/user" }
            + ["/usr/local/lib/systemd/user", "/usr/lib/systemd/user"]
        return directories.map { $0 + "/" + Self.unitName }.first(where: Self.isFile)
    }

    static func isFile(_ path: String) -> Bool { UserFiles.isFile(path) }
}
