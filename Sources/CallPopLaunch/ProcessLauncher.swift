public import CallPopCore
internal import Glibc

/// How a launched child ended.
public struct LaunchOutcome: Sendable, Hashable {
    /// The child's process id.
    public var pid: Int32
    /// The exit status, when it exited normally.
    public var exitStatus: Int32?
    /// The signal that ended it, when one did.
    public var signal: Int32?

    /// Whether the child exited with status 0.
    public var succeeded: Bool { exitStatus == 0 }

    /// In words, for the log.
    public var summary: String {
        if let exitStatus { return "exited with status \(exitStatus)" }
        if let signal { return "killed by signal \(signal)" }
        return "ended"
    }
}

/// A launch that could not start: the one error type of `CallPopLaunch`.
public typealias LaunchError = CodedError<LaunchErrorCode>

/// The kinds of `LaunchError`.
public enum LaunchErrorCode: Sendable, Hashable {
    /// The plan has no program to run.
    case emptyPlan
    /// `posix_spawn` failed: the program is missing, not executable, or the system is out of resources.
    case spawnFailed
}

/// Starts popup targets with `posix_spawn`: no shell, argv exactly as planned.
///
/// Each child starts in its own session (it outlives the agent and never gets the
/// agent's terminal signals), with stdin and stdout on /dev/null, stderr shared (so
/// its complaints reach the journal), no other inherited descriptor, default signal
/// handling, and the call's `CALLPOP_*` variables in its environment. A small
/// waiter thread per child reaps it, so no zombie is left and the agent never blocks.
///
/// Secrets never reach a child: the variables callpop reads secrets from (`withheld`, and
/// those `SecretVariables.childEnvironment` always removes) are not in the session's
/// environment it inherits.
public struct ProcessLauncher: Sendable {
    /// The session's environment, as the agent got it.
    public var baseEnvironment: [String: String]
    /// Variables children must not inherit: where secrets are read from.
    public private(set) var withheld: Set<String>
    /// What each child inherits before the call's variables are added.
    private var inherited: [String: String]

    /// Creates a launcher passing `baseEnvironment` without the `withheld` variables.
    public init(baseEnvironment: [String: String], withholding withheld: Set<String> = []) {
        self.baseEnvironment = baseEnvironment
        self.withheld = withheld.union(SecretVariables.always)
        inherited = SecretVariables.childEnvironment(baseEnvironment, withholding: withheld)
    }

    /// Withholds `names` too (a reloaded configuration may read secrets from more variables;
    /// the ones read before stay withheld, their secrets are still in memory).
    public mutating func withhold(_ names: Set<String>) {
        guard !names.isSubset(of: withheld) else { return }
        withheld.formUnion(names)
        inherited = SecretVariables.childEnvironment(baseEnvironment, withholding: withheld)
    }

    /// Starts `plan.argv`; `completion` runs on a waiter thread when the child ends.
    @discardableResult
    public func launch(_ plan: LaunchPlan, completion: @escaping @Sendable (LaunchOutcome) -> Void) throws(LaunchError) -> Int32 {
        guard let program = plan.argv.first, !program.isEmpty else { throw LaunchError(.emptyPlan, "nothing to run") }
        var environment = inherited
        for (k, v) in plan.environment { environment[k] = v }
        let pid = try Spawn.start(argv: plan.argv, environment: environment)
        ChildWaiter.wait(for: pid, completion: completion)
        return pid
    }
}
