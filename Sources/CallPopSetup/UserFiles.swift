internal import Glibc

/// The few file operations the set-up commands (`init`, `autostart`, `handler`) need, on
/// plain POSIX calls (no Foundation), each either done completely or reported.
enum UserFiles {
    /// What is at a path, without following a final symbolic link.
    enum Kind: Equatable {
        case missing
        case file
        case directory
        case link(target: String)
        case other
    }

    static func kind(_ path: String) -> Kind {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(path, &buffer, buffer.count - 1)
            return .link(target: n < 0 ? "" : String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        default: return .other
        }
    }

    /// Creates `path` and its missing parents with `mode` (existing ones are left alone).
    static func makeDirectories(_ path: String, mode: mode_t) throws(SetupError) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST { throw SetupError("create directory", current) }
        }
        guard kind(path) == .directory else { throw SetupError("create directory", path, errno: ENOTDIR) }
    }

    /// `path` made absolute against the working directory (`x.toml`, `sub/x.toml`).
    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (cwd == "/" ? "" : cwd) + "/" + path
    }

    /// The parent directory of `path`.
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// Writes `text` to a file with `mode` through a temporary file put into place in one
    /// step, so a reader never sees half a file. With `replace` false an existing file is
    /// an error (EEXIST) and stays as it was.
    static func write(_ text: String, to path: String, mode: mode_t, replace: Bool) throws(SetupError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SetupError("create", temporary) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let code = errno
                close(fd)
                unlink(temporary)
                throw SetupError("write", temporary, errno: code)
            }
            offset += n
        }
        // open() applies the umask; the mode is a promise (a config may later hold paths to secrets).
        let ok = fchmod(fd, mode) == 0 && fsync(fd) == 0
        let code = errno
        close(fd)
        // link() refuses an existing name atomically; rename() replaces it atomically.
        let placed = ok && (replace ? rename(temporary, path) : Glibc.link(temporary, path)) == 0
        let failure = ok ? errno : code
        unlink(temporary)
        guard placed else { throw SetupError(failure == EEXIST ? "create" : "write", path, errno: failure) }
    }

    /// Makes `path` a symbolic link to `target`, replacing a link that is there.
    static func link(_ path: String, to target: String) throws(SetupError) {
        if case .link = kind(path), unlink(path) != 0 { throw SetupError("replace", path) }
        guard symlink(target, path) == 0 else { throw SetupError("create link", path) }
    }

    /// Removes a file or link; a missing one is fine.
    static func remove(_ path: String) throws(SetupError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw SetupError("remove", path) }
    }

    /// The file's permission bits, or nil when it cannot be examined.
    static func permissions(_ path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode & 0o7777
    }

    /// Whether `path` is a regular file (following links).
    static func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The file's text (at most 1 MiB), or `nil` when it does not exist.
    static func read(_ path: String) throws(SetupError) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw SetupError("read", path)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw SetupError("read", path) }
            if n == 0 { return String(decoding: bytes, as: UTF8.self) }
            guard bytes.count + n <= 1 << 20 else { throw SetupError(.file, "\(path) is larger than 1 MiB", path: path) }
            bytes += buffer[0..<n]
        }
    }

    /// Replaces the file's content in one step, creating its directory; private to the user.
    static func replace(_ path: String, with text: String) throws(SetupError) {
        try makeDirectories(parent(path), mode: 0o700)
        try write(text, to: path, mode: 0o600, replace: true)
    }
}
