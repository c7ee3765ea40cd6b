internal import CallPopCore
internal import CallPopLaunch
internal import Dispatch
internal import Synchronization

/// The running systemd user manager, as far as `callpop autostart` needs it: the
/// enablement link is made by callpop itself (so it works before the first graphical
/// login too), the manager is only told to reload, start, stop and report.
public protocol UserServiceManager: Sendable {
    /// Runs `systemctl --user` with `arguments`; returns its exit status (nil when it could not run).
    func systemctl(_ arguments: [String]) -> Int32?
    /// Runs `systemctl --user` with `arguments`; returns what it printed (nil when it failed).
    func output(_ arguments: [String]) -> String?
}

extension UserServiceManager {
    /// Managers that print nothing.
    public func output(_ arguments: [String]) -> String? { nil }
}

/// Talks to the real user manager through `systemctl --user`; its messages go to our stderr.
public struct SystemctlUserManager: UserServiceManager {
    /// The environment systemctl runs with (it needs `XDG_RUNTIME_DIR` and `DBUS_SESSION_BUS_ADDRESS`).
    public var environment: [String: String]

    /// Creates a manager client.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Runs `systemctl --user …` and waits for it (these are short commands, and
    /// `callpop autostart` is a one-shot command on the main thread, not the agent).
    public func systemctl(_ arguments: [String]) -> Int32? {
        let plan = LaunchPlan(action: .app, url: nil, argv: ["systemctl", "--user"] + arguments, environment: [:])
        let done = DispatchSemaphore(value: 0)
        let status = StatusBox()
        do {
            try ProcessLauncher(baseEnvironment: environment).launch(plan) { outcome in
                status.value.withLock { $0 = outcome.exitStatus }
                done.signal()
            }
        } catch {
            return nil
        }
        done.wait()
        return status.value.withLock { $0 }
    }
}

extension SystemctlUserManager {
    /// Runs `systemctl --user …` and returns its output, when it succeeded.
    public func output(_ arguments: [String]) -> String? {
        guard let result = try? ProgramOutput.run(["systemctl", "--user"] + arguments, environment: environment),
              result.outcome.succeeded
        else { return nil }
        return result.text
    }
}

/// Carries the child's exit status from the waiter thread to the caller.
private final class StatusBox: Sendable {
    let value = Mutex<Int32?>(nil)
}
