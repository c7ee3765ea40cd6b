internal import Glibc

/// The few file operations the handler set-up needs, on plain POSIX calls (no Foundation).
enum SetupFiles {
    static func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
    }

    /// The file's text, or `nil` when it does not exist.
    static func read(_ path: String) throws(SetupError) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw failure("read", path)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw failure("read", path) }
            if n == 0 { return String(decoding: bytes, as: UTF8.self) }
            guard bytes.count + n <= 1 << 20 else { throw SetupError(.fileError, "\(path) is larger than 1 MiB") }
            bytes += buffer[0..<n]
        }
    }

    /// Replaces the file's content at once (a temporary file renamed over it), creating
    /// its directory; other users get no access to either.
    static func write(_ text: String, to path: String) throws(SetupError) {
        try makeDirectories(parent(of: path))
        let temporary = path + ".callpop-new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw failure("write", temporary) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                unlink(temporary)
                throw failure("write", temporary)
            }
            written += n
        }
        guard close(fd) == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw failure("write", path)
        }
    }

    /// Removes the file; a missing one is fine.
    static func remove(_ path: String) throws(SetupError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("remove", path) }
    }

    /// Creates `path` and its missing parents, private to the user.
    static func makeDirectories(_ path: String) throws(SetupError) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o700) != 0 && errno != EEXIST { throw failure("create directory", current) }
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private static func failure(_ action: String, _ path: String) -> SetupError {
        SetupError(.fileError, "cannot \(action) \(path): \(String(cString: strerror(errno)))")
    }
}
