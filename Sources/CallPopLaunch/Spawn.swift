internal import CallPopCore
internal import CPlatform
internal import Glibc

/// The one place that starts processes (through the C helper that sets up the child).
enum Spawn {
    /// Starts `argv`; its stdout goes to `stdout` when given, else to /dev/null.
    static func start(argv: [String], environment: [String: String], stdout: Int32 = -1) throws(LaunchError) -> Int32 {
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgv { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let rc = callpop_spawn_output(argv[0], cArgv, cEnv, stdout, &pid)
        guard rc == 0 else {
            let reason = rc == ENOENT ? "not found on PATH" : String(cString: strerror(rc))
            throw LaunchError(.spawnFailed, "cannot start '\(argv[0])': \(reason)")
        }
        return pid
    }
}
