public import Foundation
import Glibc

/// Runs lab programs with a clean signal mask. Foundation's `Process` hands children the
/// spawning thread's mask, in which SIGTERM is blocked: a Kamailio started that way
/// ignores stop.sh's SIGTERM. posix_spawn with SETSIGMASK/SETSIGDEF avoids that. It also
/// waits with `waitpid`, where `Process` waits for a socket to close: a daemon that a script
/// starts (slapd, Radicale) inherits that socket, and `Process` would never see the script end.
public enum ChildProcess {
    public struct SpawnError: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String { "posix_spawn: \(String(cString: strerror(code)))" }
    }

    /// Starts `arguments` (argv[0] a path) with extra environment; stdin is `input` (a
    /// descriptor the child gets as 0) or /dev/null, stdout goes to `output`.
    public static func spawn(
        _ arguments: [String], environment extra: [String: String] = [:], output: String = "/dev/null", input: Int32? = nil
    ) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { $1 }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else { throw SpawnError(code: status) }
        return pid
    }

    /// Waits for `pid` on a dedicated thread (never on the cooperative pool); the exit status.
    public static func wait(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED ? WEXITSTATUS : 128 + signal
                let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                continuation.resume(returning: exitCode)
            }.start()
        }
    }

    /// Runs to completion.
    public static func run(_ arguments: [String], environment: [String: String] = [:], output: String = "/dev/null") async throws -> Int32 {
        await wait(try spawn(arguments, environment: environment, output: output))
    }

    /// Whether something already answers on UDP 127.0.0.1:`port` (bind fails with EADDRINUSE).
    public static func udpPortBusy(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result != 0 && errno == EADDRINUSE
    }
}
