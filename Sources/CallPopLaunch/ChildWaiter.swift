internal import CPlatform
internal import Glibc

/// Reaps one child on a small detached thread blocking in `waitpid`: no SIGCHLD
/// handler, no polling, and no stealing of other children's statuses.
enum ChildWaiter {
    private final class Job: Sendable {
        let pid: pid_t
        let completion: @Sendable (LaunchOutcome) -> Void
        init(pid: pid_t, completion: @escaping @Sendable (LaunchOutcome) -> Void) {
            self.pid = pid
            self.completion = completion
        }
    }

    static func wait(for pid: pid_t, completion: @escaping @Sendable (LaunchOutcome) -> Void) {
        let context = Unmanaged.passRetained(Job(pid: pid, completion: completion)).toOpaque()
        let rc = callpop_reap_async(pid, { context, status in
            guard let context else { return }
            let job = Unmanaged<Job>.fromOpaque(context).takeRetainedValue()
            job.completion(ChildWaiter.outcome(pid: job.pid, status: status))
        }, context)
        if rc != 0 {
            // No thread to spare: reap inline rather than leave a zombie.
            let job = Unmanaged<Job>.fromOpaque(context).takeRetainedValue()
            var status: Int32 = 0
            let r = waitpid(pid, &status, 0)
            job.completion(outcome(pid: pid, status: r < 0 ? -1 : status))
        }
    }

    static func outcome(pid: pid_t, status: Int32) -> LaunchOutcome {
        guard status >= 0 else { return LaunchOutcome(pid: pid, exitStatus: nil, signal: nil) }
        let termSig = status & 0x7F
        if termSig == 0 { return LaunchOutcome(pid: pid, exitStatus: (status >> 8) & 0xFF, signal: nil) }
        return LaunchOutcome(pid: pid, exitStatus: nil, signal: termSig)
    }
}
