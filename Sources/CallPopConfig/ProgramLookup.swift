internal import Glibc

/// Finds programs the way the launcher will (`PATH` search, execute permission).
public enum ProgramLookup {
    /// Whether `path` is a regular file this user may execute.
    public static func isExecutable(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    /// Whether `program` (a name looked up in `PATH`, or a path) can be run.
    public static func isInstalled(_ program: String, path: String?) -> Bool {
        if program.contains("/") { return isExecutable(program) }
        return (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").contains { isExecutable("\($0)/\(program)") }
    }
}
