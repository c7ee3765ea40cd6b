import CallPopCurl
import CallPopPlatform
import Synchronization

/// The dedicated thread every HTTP transfer runs on, and the way async code talks to it.
///
/// Async callers put commands in an inbox and wake the thread through its `WakePipe`; the
/// thread waits in `Poller` on the sockets libcurl asked for, the wake pipe and libcurl's
/// next deadline, and answers through each job's one-shot or bridge. All libcurl calls
/// happen on this thread. The thread starts with the first request and runs until `stop()`.
final class HTTPLoop: Sendable {
    private enum Command: Sendable {
        case start(HTTPJob)
        case cancel(UInt64)
        case resume(UInt64)
    }

    private struct Inbox {
        var commands: [Command] = []
        var running = false
        var stopped = false
        var lastID: UInt64 = 0
    }

    private let inbox = Mutex(Inbox())
    private let wake: WakePipe?

    init() {
        wake = try? WakePipe()
    }

    /// A new job id.
    func nextID() -> UInt64 {
        inbox.withLock { $0.lastID += 1; return $0.lastID }
    }

    /// Starts `job`, starting the thread first if needed.
    func submit(_ job: HTTPJob) throws(HTTPError) {
        guard let wake else { throw HTTPError(.resources, "no wake-up pipe for the HTTP thread") }
        let (stopped, startThread) = inbox.withLock { inbox -> (Bool, Bool) in
            guard !inbox.stopped else { return (true, false) }
            inbox.commands.append(.start(job))
            defer { inbox.running = true }
            return (false, !inbox.running)
        }
        if stopped { throw HTTPError(.cancelled, "the HTTP client has shut down") }
        if startThread {
            guard DetachedThread.start({ self.run(wake) }) else {
                inbox.withLock { $0.running = false; $0.commands.removeAll() }
                throw HTTPError(.resources, "the system refused a thread for HTTP")
            }
        }
        wake.wake()
    }

    /// Abandons job `id` (it fails with `cancelled`); nothing when it is already over.
    func cancel(_ id: UInt64) { post(.cancel(id)) }

    /// A paused stream's reader has room again.
    func resume(_ id: UInt64) { post(.resume(id)) }

    /// Abandons everything and ends the thread.
    func stop() {
        inbox.withLock { $0.stopped = true }
        wake?.wake()
    }

    private func post(_ command: Command) {
        let running = inbox.withLock { inbox -> Bool in
            guard inbox.running, !inbox.stopped else { return false }
            inbox.commands.append(command)
            return true
        }
        if running { wake?.wake() }
    }

    // MARK: The thread

    private func run(_ wake: WakePipe) {
        let multi: CurlMulti
        do {
            multi = try CurlMulti()
        } catch {
            let failure = HTTPError(.resources, "libcurl: \(error.message)")
            inbox.withLock { inbox -> [Command] in
                inbox.stopped = true
                defer { inbox.commands = [] }
                return inbox.commands
            }.forEach { if case .start(let job) = $0 { job.fail(failure) } }
            return
        }
        var active: [UInt64: ActiveTransfer] = [:]
        var byTransfer: [ObjectIdentifier: UInt64] = [:]
        while true {
            let (commands, stopping) = inbox.withLock { inbox -> ([Command], Bool) in
                defer { inbox.commands = [] }
                return (inbox.commands, inbox.stopped)
            }
            for command in commands {
                switch command {
                case .start(let job):
                    guard !stopping else { job.fail(HTTPError(.cancelled, "the HTTP client has shut down")); continue }
                    do {
                        let transfer = try ActiveTransfer(job)
                        try multi.add(transfer.transfer)
                        active[job.id] = transfer
                        byTransfer[ObjectIdentifier(transfer.transfer)] = job.id
                    } catch {
                        job.fail(HTTPError(.invalidRequest, "libcurl refused the request to \(job.request.host): \(error.message)"))
                    }
                case .cancel(let id):
                    guard let transfer = active.removeValue(forKey: id) else { continue }
                    multi.remove(transfer.transfer)
                    byTransfer[ObjectIdentifier(transfer.transfer)] = nil
                    transfer.job.fail(HTTPError(.cancelled, "the request to \(transfer.job.request.host) was cancelled"))
                case .resume(let id):
                    active[id]?.transfer.resume()
                }
            }
            if stopping {
                for transfer in active.values {
                    multi.remove(transfer.transfer)
                    transfer.job.fail(HTTPError(.cancelled, "the HTTP client has shut down"))
                }
                return
            }
            for (transfer, error) in multi.finished() {
                guard let id = byTransfer.removeValue(forKey: ObjectIdentifier(transfer)),
                      let done = active.removeValue(forKey: id)
                else { continue }
                done.finish(error)
            }
            let watched = multi.interest.map { (fd: $0.key, events: $0.value) }
            let result = Poller.wait(watched, wake: wake, until: multi.timerDeadline)
            for (index, entry) in watched.enumerated() where !result.ready[index].isEmpty {
                multi.act(on: entry.fd, result.ready[index])
            }
            if let deadline = multi.timerDeadline, ContinuousClock.now >= deadline { multi.timerFired() }
        }
    }
}
