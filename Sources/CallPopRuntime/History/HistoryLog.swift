public import CallPopCore
public import CallPopPlatform
internal import Glibc
internal import Synchronization

/// The call history on disk: `DIR/history.ndjson`, and the older half in
/// `DIR/history.1.ndjson`. Before the current file would grow past half of `limit` it
/// becomes the older one (replacing it), so both together stay within `limit`. Files are
/// private to the user (mode 600 in a directory with mode 700): they name every caller.
///
/// Writing happens on a thread of its own: `append` only queues the line and wakes it, so
/// the event path never waits for the disk. The queue is bounded; lines beyond it are
/// dropped and counted (a disk that hangs must not grow the agent's memory).
public final class HistoryLog: Sendable {
    /// The file names inside the directory.
    public static let currentName = "history.ndjson"
    public static let previousName = "history.1.ndjson"
    /// The most lines waiting for the writer.
    static let queueLimit = 4096

    /// The directory (`$XDG_STATE_HOME/callpop`).
    public let directory: String
    /// The most bytes both files take together.
    public let limit: Int

    private struct Queue {
        var lines: [String] = []
        var queued = 0
        var written = 0
        var dropped = 0
        var stopping = false
        var failure: String?
    }

    private let queue = Mutex(Queue())
    private let wake: WakePipe
    private let finished = OneShot<Void>()

    /// A log in `directory` bounded by `limit` bytes; nothing is written before `start`.
    public init(directory: String, limit: Int) throws(PlatformError) {
        self.directory = directory
        self.limit = max(limit, 4096)
        wake = try WakePipe()
    }

    /// Starts the writer thread; false when the system refused one.
    public func start() -> Bool {
        DetachedThread.start { [self] in
            writerLoop()
            finished.fulfil(())
        }
    }

    /// Queues one line (without its newline) for the file. Never blocks.
    public func append(_ line: String) {
        let accepted = queue.withLock { state -> Bool in
            guard !state.stopping, state.lines.count < Self.queueLimit else {
                state.dropped += 1
                return false
            }
            state.lines.append(line)
            state.queued += 1
            return true
        }
        if accepted { wake.wake() }
    }

    /// Waits (at most `bound`) until every line queued so far is in the file.
    public func flush(within bound: Duration = .seconds(1)) async {
        let target = queue.withLock { $0.queued }
        let deadline = ContinuousClock.now + bound
        while queue.withLock({ $0.written + $0.dropped < target }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Writes what is queued and stops the thread (waiting at most `bound`).
    public func stop(within bound: Duration = .seconds(2)) async {
        queue.withLock { $0.stopping = true }
        wake.wake()
        _ = await finished.value(within: bound)
    }

    /// Why the last write failed, if one did (for `status`).
    public var failure: String? { queue.withLock { $0.failure } }

    // MARK: The writer thread

    private func writerLoop() {
        var file = HistoryFile(directory: directory, limit: limit)
        while true {
            let (lines, stopping) = queue.withLock { state -> ([String], Bool) in
                defer { state.lines.removeAll(keepingCapacity: true) }
                return (state.lines, state.stopping)
            }
            var failure: String?
            for line in lines where failure == nil {
                failure = file.append(line)
            }
            queue.withLock {
                $0.written += lines.count
                if let failure { $0.failure = failure }
            }
            if stopping { break }
            if lines.isEmpty { _ = Poller.wait([], wake: wake, until: nil) }
        }
        file.close()
    }

    // MARK: Reading

    /// Every line of both files, older file first. Blocking: call it off the cooperative pool.
    public static func lines(in directory: String) -> [ArraySlice<UInt8>] {
        [previousName, currentName].flatMap { name -> [ArraySlice<UInt8>] in
            let bytes = HistoryFile.read(directory + "/" + name)
            return bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
        }
    }

    /// The calls in `directory`, oldest first. Blocking: call it off the cooperative pool.
    public static func calls(in directory: String) -> [HistoryCall] {
        CallHistory.calls(from: lines(in: directory))
    }
}

/// The writer's open file and its size; on the writer thread only.
private struct HistoryFile {
    let directory: String
    let limit: Int
    private var fd: Int32 = -1
    private var size = 0

    init(directory: String, limit: Int) {
        self.directory = directory
        self.limit = limit
    }

    var current: String { directory + "/" + HistoryLog.currentName }

    /// Appends one line, rotating first when it would take the file past half the limit.
    /// Returns why it failed, if it did.
    mutating func append(_ line: String) -> String? {
        if fd < 0, let failure = open() { return failure }
        let bytes = Array((line + "\n").utf8)
        if size > 0, size + bytes.count > limit / 2, let failure = rotate() { return failure }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return "cannot write \(current): \(String(cString: strerror(errno)))" }
            offset += n
        }
        size += bytes.count
        return nil
    }

    mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    private mutating func open() -> String? {
        // The state directory and its parents, private to the user.
        var path = ""
        for part in directory.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o700) != 0, errno != EEXIST { return "cannot create \(path): \(String(cString: strerror(errno)))" }
        }
        fd = Glibc.open(current, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return "cannot open \(current): \(String(cString: strerror(errno)))" }
        // The mode is a promise even for a file made earlier with a looser umask.
        fchmod(fd, 0o600)
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
        return nil
    }

    private mutating func rotate() -> String? {
        close()
        guard rename(current, directory + "/" + HistoryLog.previousName) == 0 else {
            return "cannot rotate \(current): \(String(cString: strerror(errno)))"
        }
        return open()
    }

    /// A file's bytes (at most 64 MiB, the end of a larger one); empty when it does not exist.
    static func read(_ path: String) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { Glibc.close(fd) }
        var st = stat()
        let cap = 64 << 20
        if fstat(fd, &st) == 0, Int(st.st_size) > cap { lseek(fd, off_t(Int(st.st_size) - cap), SEEK_SET) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count < cap {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += buffer[..<n]
        }
        return bytes
    }
}
