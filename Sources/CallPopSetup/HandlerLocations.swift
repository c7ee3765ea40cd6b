/// Where the handler set-up reads and writes for one user, from the environment the way
/// the XDG Base Directory Specification says (relative values are ignored), so tests can
/// point everything at temporary directories.
public struct HandlerLocations: Sendable, Hashable {
    /// `$XDG_CONFIG_HOME`, or `~/.config`: `mimeapps.list` lives here.
    public var configHome: String
    /// `$XDG_DATA_HOME`, or `~/.local/share`: a user's copy of the entry goes to its `applications/`.
    public var dataHome: String
    /// `$XDG_DATA_DIRS`, or `/usr/local/share:/usr/share`: where packages install entries.
    public var dataDirs: [String]
    /// `$XDG_STATE_HOME`, or `~/.local/state`: the handlers `--force` replaced are remembered here.
    public var stateHome: String

    /// Reads the locations from `environment`.
    public init(environment: [String: String]) {
        let directories = XDGDirectories(environment: environment)
        configHome = directories.configHome
        dataHome = directories.dataHome
        dataDirs = directories.dataDirs
        stateHome = directories.stateHome
    }

    /// The user's `mimeapps.list`, where `xdg-mime default` writes.
    public var mimeAppsList: String { configHome + "/mimeapps.list" }
    /// Where a user's copy of the handler entry goes.
    public var userEntry: String { dataHome + "/applications/" + DialHandlerEntry.fileName }
    /// The handlers replaced by `callpop handler enable --force`, one `mime/type=id.desktop` a line.
    public var previousHandlers: String { stateHome + "/callpop/previous-handlers" }

    /// The installed handler entry (the user's first, then the packages'), if any.
    public var installedEntry: String? {
        ([dataHome] + dataDirs).map { $0 + "/applications/" + DialHandlerEntry.fileName }.first(where: UserFiles.isFile)
    }
}
