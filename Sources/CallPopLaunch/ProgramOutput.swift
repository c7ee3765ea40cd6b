public import CallPopCore
internal import Glibc

/// Runs a short helper program to its end and captures what it prints, for the set-up
/// commands (`xdg-mime query default …`). The caller's thread waits: never use it from
/// the agent. The child is started like every other (`Spawn`): no shell, own session,
/// stdin on /dev/null, no inherited descriptors; its stderr is ours.
public enum ProgramOutput {
    /// How the program ended and what it printed.
    public struct Result: Sendable, Hashable {
        /// How it ended.
        public var outcome: LaunchOutcome
        /// Its standard output (at most `maxBytes`; the rest is read and dropped).
        public var output: [UInt8]

        /// The output as text, without the final line break.
        public var text: String {
            var text = String(decoding: output, as: UTF8.self)
            while text.last == "\n" { text.removeLast() }
            return text
        }
    }

    /// Runs `argv` with `environment`, less what no child inherits (`SecretVariables.childEnvironment`),
    /// and waits for it.
    public static func run(
        _ argv: [String], environment: [String: String], maxBytes: Int = 64 * 1024
    ) throws(LaunchError) -> Result {
        guard let program = argv.first, !program.isEmpty else { throw LaunchError(.emptyPlan, "nothing to run") }
        var fds: [Int32] = [-1, -1]
        // Every child closes descriptors above 2 (Spawn), so the pipe reaches only this one.
        guard pipe(&fds) == 0 else {
            throw LaunchError(.spawnFailed, "cannot run '\(program)': \(String(cString: strerror(errno)))")
        }
        let pid: Int32
        do {
            pid = try Spawn.start(argv: argv, environment: SecretVariables.childEnvironment(environment), stdout: fds[1])
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        let output = readAll(fds[0], maxBytes: maxBytes)
        close(fds[0])
        var status: Int32 = 0
        var waited: pid_t
        repeat { waited = waitpid(pid, &status, 0) } while waited < 0 && errno == EINTR
        return Result(outcome: ChildWaiter.outcome(pid: pid, status: waited < 0 ? -1 : status), output: output)
    }

    /// Everything until end of file, keeping the first `maxBytes`.
    private static func readAll(_ fd: Int32, maxBytes: Int) -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return output }
            output += buffer[0..<min(n, max(0, maxBytes - output.count))]
        }
    }
}
