import CallPopTestSupport
import Foundation
import Testing

/// An always-on agent costs nothing while it waits: following a FIFO nobody writes to, no
/// thread of the built agent wakes up at all (voluntary context switches of every thread,
/// from /proc, stay the same over 10 s).
@Suite("an idle agent", .serialized)
struct IdleTests {
    static func contextSwitches(_ pid: Int32) -> (threads: Int, switches: Int) {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var total = 0
        for task in tasks {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { continue }
            for line in status.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
                total += Int(line.split(separator: "\t").last ?? "") ?? 0
            }
        }
        return (tasks.count, total)
    }

    @Test("no wake-ups in 10 s on a silent FIFO")
    func noWakeUps() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", """
            [user]
            number = "201"
            [[popup]]
            name = "CRM"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUM}"
            """)
        let fifo = h.directory.appendingPathComponent("events.fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let agent = Process()
        agent.executableURL = Harness.binary
        agent.arguments = ["run", "--config", config.path, "--events", fifo.path, "--no-control"]
        agent.environment = h.environment
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        defer {
            agent.terminate()
            agent.waitUntilExit()
        }
        // Past start-up and the one-off release of start-up pages (5 s after start).
        try await Task.sleep(for: .seconds(7))
        let before = Self.contextSwitches(agent.processIdentifier)
        try await Task.sleep(for: .seconds(10))
        let after = Self.contextSwitches(agent.processIdentifier)
        print("idle: \(after.threads) threads, \(after.switches - before.switches) voluntary context switches in 10 s")
        #expect(before.threads > 0 && after.threads == before.threads)
        #expect(after.switches - before.switches == 0, "the idle agent woke up \(after.switches - before.switches) times in 10 s")
    }
}
