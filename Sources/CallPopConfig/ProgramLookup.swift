internal import Glibc

/// Finds programs the way the launcher will (`PATH` search, execute permission).
enum ProgramLookup {
    static func isExecutable(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
