import CallPopTestSupport
import Foundation
import Synchronization
import Testing

/// Backpressure, end to end: the built agent against an AMI server that sends a recorded
/// call over and over, as fast as the socket takes it (`Tests/Tools/ami_flood.py`), with one
/// call of the user's own amid the flood. Resident memory must stay near idle, the marked
/// call must be decided within a second, and SIGTERM must end the agent within a second
/// with the Logoff sent. The figures are printed for `docs/performance.md`.
@Suite("backpressure under a flooding PBX", .serialized)
struct FloodTests {
    /// How long the flood lasts (the issue's 30 s; CALLPOP_FLOOD_SECONDS shortens it).
    static var seconds: Double {
        ProcessInfo.processInfo.environment["CALLPOP_FLOOD_SECONDS"].flatMap(Double.init) ?? 30
    }

    static let config = """
        [user]
        number = "201"
        name = "Alice Agent"
        country_code = "44"

        [pbx]
        source = "ami"
        url = "ami://127.0.0.1:PORT"
        username = "popup"

        [[popup]]
        name = "CRM"
        trigger = "ringing"
        url = "https://crm.example.com/search?phone={CALLERNUM:e164}&name={CALLERNAME}"

        [[popup]]
        name = "Answered"
        trigger = "answer"
        url = "https://crm.example.com/answered?phone={CALLERNUM}"
        """

    /// Everything the agent printed, read as it comes: the decision count and when the
    /// marked call's ringing decision appeared.
    final class OutputWatch: Sendable {
        struct State {
            var lines = 0
            var markSeen: Double?
            var partial = Data()
        }
        let state = Mutex(State())

        func consume(_ data: Data, mark: String) {
            let now = Date().timeIntervalSince1970
            state.withLock { state in
                state.partial.append(data)
                while let newline = state.partial.firstIndex(of: 0x0A) {
                    let line = state.partial[state.partial.startIndex..<newline]
                    state.partial.removeSubrange(state.partial.startIndex...newline)
                    state.lines += 1
                    if state.markSeen == nil, String(decoding: line, as: UTF8.self).contains(mark) { state.markSeen = now }
                }
            }
        }
    }

    static func residentKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }

    @Test("memory stays within 10 MB of idle, the user's own call pops within a second, SIGTERM ends it within a second")
    func floodIsHeldBackByTheConnection() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let portFile = h.directory.appendingPathComponent("flood.port")
        let serverLog = h.directory.appendingPathComponent("flood.log")
        let markFile = h.directory.appendingPathComponent("flood.mark")
        let server = try ChildProcess.spawn([
            "/usr/bin/env", "python3", Fixtures.repositoryRoot.appendingPathComponent("Tests/Tools/ami_flood.py").path,
            "--template", Fixtures.url("asterisk-22/inbound-answered/ami.txt").path, "--port-file", portFile.path,
            "--log", serverLog.path, "--mark-file", markFile.path, "--seconds", "\(Self.seconds)", "--delay", "2",
        ])
        defer {
            kill(server, SIGKILL)
            _ = waitpid(server, nil, 0)
        }
        var port: Int?
        for _ in 0..<200 where port == nil {
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) }
            if port == nil { try await Task.sleep(for: .milliseconds(25)) }
        }
        let listening = try #require(port, "the flood server did not start")
        let config = try h.write("config.toml", Self.config.replacingOccurrences(of: "PORT", with: "\(listening)"))

        let agent = Process()
        agent.executableURL = Harness.binary
        agent.arguments = ["run", "--config", config.path, "--dry-run", "--json", "--no-control"]
        agent.environment = h.environment.merging(["CALLPOP_PBX_PASSWORD": "flood-secret"]) { $1 }
        let stdout = Pipe()
        agent.standardOutput = stdout
        agent.standardError = try FileHandle(forWritingTo: h.write("stderr.txt", ""))
        let watch = OutputWatch()
        let mark = #""call":"1700999999.0","rule":"CRM""#
        stdout.fileHandleForReading.readabilityHandler = { handle in watch.consume(handle.availableData, mark: mark) }
        try agent.run()
        let pid = agent.processIdentifier

        // Sample resident memory until the flood has ended.
        var samples: [(time: Double, kib: Int)] = []
        var log = ""
        let deadline = ContinuousClock.now + .seconds(Self.seconds + 30)
        while ContinuousClock.now < deadline, !log.contains("flood-end") {
            if let kib = Self.residentKiB(pid) { samples.append((Date().timeIntervalSince1970, kib)) }
            try await Task.sleep(for: .milliseconds(200))
            log = (try? String(contentsOf: serverLog, encoding: .utf8)) ?? ""
        }
        let start = try #require(Self.timestamp("flood-start", in: log), "no flood: \(log)")
        let end = try #require(Self.timestamp("flood-end", in: log), "the flood did not end: \(log)")
        let calls = log.split(separator: "\n").first { $0.hasPrefix("flood-end") }.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? 0
        try await Task.sleep(for: .milliseconds(500))

        let stopped = ContinuousClock.now
        kill(pid, SIGTERM)
        try await offPool { agent.waitUntilExit() }
        let exitTook = ContinuousClock.now - stopped
        stdout.fileHandleForReading.readabilityHandler = nil
        try await Task.sleep(for: .milliseconds(300))
        let actions = (try? String(contentsOf: serverLog, encoding: .utf8)) ?? ""

        let idle = samples.last { $0.time < start }?.kib ?? 0
        let peak = samples.filter { $0.time >= start && $0.time <= end }.map(\.kib).max() ?? 0
        let markText = try String(contentsOf: markFile, encoding: .utf8)
        let markSent = try #require(Double(markText.split(separator: " ").first ?? ""))
        let seen = watch.state.withLock { $0.markSeen }
        let decisions = watch.state.withLock { $0.lines }
        let latency = seen.map { $0 - markSent }
        print("""
            flood: \(calls) calls (\(calls * 94) AMI events) in \(String(format: "%.1f", end - start)) s; \
            \(decisions) decisions printed; RSS idle \(idle / 1024) MiB, peak \(peak / 1024) MiB \
            (+\(String(format: "%.1f", Double(peak - idle) / 1024)) MiB); marked call decided \
            \(latency.map { String(format: "%.0f ms", $0 * 1000) } ?? "never") after it was sent; \
            exit \(exitTook) after SIGTERM
            """)

        #expect(calls > 1000, "not a flood: \(calls) calls")
        #expect(idle > 0 && peak - idle < 10 * 1024, "resident memory grew \(peak - idle) KiB under the flood")
        #expect(latency != nil && latency! < 1.0, "the user's own call was decided \(latency.map { "\($0) s" } ?? "never") after it was sent")
        #expect(exitTook < .seconds(1), "SIGTERM took \(exitTook)")
        #expect(actions.contains("logoff"), "no Logoff was sent on SIGTERM")
        #expect(agent.terminationStatus == 0)
    }

    static func timestamp(_ label: String, in log: String) -> Double? {
        log.split(separator: "\n").first { $0.hasPrefix(label) }.flatMap { Double($0.split(separator: " ")[1]) }
    }
}
