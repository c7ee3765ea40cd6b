@_spi(ExperimentalCustomExecutors) @_spi(ExperimentalScheduling) import _Concurrency
internal import Glibc
internal import CPlatform
import Synchronization

/// The executor every task of the agent runs on: one run loop on the main thread, sleeping
/// in `Poller` until a job is enqueued or a timer is due.
///
/// Why not Swift's default executor: on Linux it runs tasks on libdispatch's global queues,
/// and the first worker thread of those arms a timer that wakes libdispatch's manager
/// thread once a second, forever (`_dispatch_workq_monitor_pools` in
/// swift-corelibs-libdispatch). An agent that waits all day for calls must not wake at all.
/// The agent's async code is small (a decision costs microseconds) and every blocking call
/// already runs on a dedicated thread (`IOThread`, `DetachedThread`), so one thread is enough.
///
/// Uses Swift 6.3's experimental custom-executor interfaces (`ExecutorFactory`,
/// `SchedulingExecutor`, behind `@_spi`): installed only by the `callpop` executable, never
/// by libraries or tests.
final class RunLoopExecutor: MainExecutor, TaskExecutor, SchedulingExecutor, @unchecked Sendable {
    private struct Timer {
        var deadline: ContinuousClock.Instant
        var job: UnownedJob
    }

    private struct Queues {
        var ready: [UnownedJob] = []
        var timers: [Timer] = []
        var stopped = false
        /// The run loop is (about to be) asleep in `Poller`: only then does a new job need the
        /// pipe. A job enqueued while it runs — most are, by the jobs themselves — is found
        /// when it looks again, without a write and a read of the pipe.
        var sleeping = false

        /// Whether the run loop must be woken for new work; it counts as awake from here on.
        mutating func wakeUp() -> Bool {
            defer { sleeping = false }
            return sleeping
        }
    }

    /// The one instance, shared by the main and the default executor.
    static let shared = RunLoopExecutor()

    private let queues = Mutex(Queues())
    // A pipe cannot fail here short of the process running out of descriptors at start-up,
    // and without an executor nothing can run: stopping at once says so plainly.
    private let wake: WakePipe = {
        do { return try WakePipe() } catch { fatalError("callpop cannot start its executor: \(error)") }
    }()

    private init() {}

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let asleep = queues.withLock { queues in
            queues.ready.append(job)
            return queues.wakeUp()
        }
        if asleep { wake.wake() }
    }

    func enqueue<C: Clock>(_ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?, clock: C) {
        let job = UnownedJob(job)
        // ContinuousClock and SuspendingClock are what Task.sleep uses; both measure in Duration.
        let delay = (clock.now.duration(to: instant) as? Duration) ?? .zero
        let deadline = (instant as? ContinuousClock.Instant) ?? ContinuousClock.now + delay
        let asleep = queues.withLock { queues in
            queues.timers.append(Timer(deadline: deadline, job: job))
            return queues.wakeUp()
        }
        if asleep { wake.wake() }
    }

    /// Runs jobs on the calling thread (the main thread) until `stop`.
    func run() throws {
        let executor = asUnownedSerialExecutor()
        // Two lists swapped with the queue, so that taking the ready jobs allocates nothing.
        var jobs: [UnownedJob] = []
        while true {
            let now = ContinuousClock.now
            let (nextTimer, stopped) = queues.withLock { queues -> (ContinuousClock.Instant?, Bool) in
                swap(&jobs, &queues.ready)
                var next: ContinuousClock.Instant?
                var index = 0
                while index < queues.timers.count {
                    let deadline = queues.timers[index].deadline
                    if deadline <= now {
                        jobs.append(queues.timers.remove(at: index).job)
                    } else {
                        next = min(next ?? deadline, deadline)
                        index += 1
                    }
                }
                if jobs.isEmpty, !queues.stopped { queues.sleeping = true }
                return (next, queues.stopped)
            }
            if jobs.isEmpty {
                if stopped { return }
                _ = Poller.wait([], wake: wake, until: nextTimer)
                queues.withLock { $0.sleeping = false }
                continue
            }
            for job in jobs { job.runSynchronously(on: executor) }
            jobs.removeAll(keepingCapacity: true)
        }
    }

    func stop() {
        queues.withLock { $0.stopped = true }
        wake.wake()
    }
}

/// The factory the concurrency runtime asks for the process's executors.
enum RunLoopExecutors: ExecutorFactory {
    static var mainExecutor: any MainExecutor { RunLoopExecutor.shared }
    static var defaultExecutor: any TaskExecutor { RunLoopExecutor.shared }
}

/// Runs a program's async entry point with every task of the process on `RunLoopExecutor`.
public enum RunLoop {
    /// Installs the executor, runs `body` on it, and exits with status 0 when it returns
    /// (a command that fails exits by itself, as ArgumentParser's `main` does). Call it first
    /// thing in `main.swift`; it never returns.
    public static func runMain(_ body: @escaping @Sendable () async -> Void) -> Never {
        // Before any thread exists, so that every thread inherits a mask that lets SIGTERM in.
        _ = callpop_signal_unblock_all()
        _createExecutors(factory: RunLoopExecutors.self)
        Task {
            await body()
            exit(0)
        }
        do {
            try RunLoopExecutor.shared.run()
        } catch {
            StandardStreams.err("callpop: the run loop stopped: \(error)")
            exit(70)
        }
        exit(0)
    }
}
