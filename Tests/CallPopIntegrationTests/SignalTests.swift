import CallPopTestSupport
import Foundation
import Testing

/// The long-running agent and its signals: SIGHUP reloads, a bad reload keeps the old
/// configuration, SIGTERM stops it cleanly.
@Suite("callpop run: reload and stop")
struct SignalTests {
    static func rule(_ name: String) -> String {
        """
        [user]
        number = "201"
        [[popup]]
        name = "\(name)"
        direction = "incoming"
        trigger = "ringing"
        url = "https://crm.example.com/\(name)?n={CALLERNUM}"
        """
    }

    /// Waits until `file` contains `text` (the agent writes asynchronously), or 60 s.
    static func waitFor(_ text: String, in file: URL) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        var content = ""
        while ContinuousClock.now < deadline {
            content = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            if content.contains(text) { return content }
            try await Task.sleep(for: .milliseconds(20))
        }
        return content
    }

    @Test("SIGHUP reloads; a broken file is rejected and the old rules stay; SIGTERM ends the agent")
    func reloadAndStop() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", Self.rule("first"))
        let fifo = h.directory.appendingPathComponent("events.fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let stdoutFile = h.directory.appendingPathComponent("stdout.txt")
        let stderrFile = h.directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)

        let process = Process()
        process.executableURL = Harness.binary
        process.arguments = ["run", "--config", config.path, "--events", fifo.path, "--dry-run", "--json"]
        process.environment = h.environment
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        let writer = try await offPool { try FileHandle(forWritingTo: fifo) }  // blocks until the agent opens the FIFO

        func send(_ call: String) {
            writer.write(Data((#"{"call":"\#(call)","state":"ringing","direction":"incoming","number":"+15550001"}"# + "\n").utf8))
        }
        send("a")
        #expect(try await Self.waitFor(#""call":"a","rule":"first""#, in: stdoutFile).contains(#""call":"a","rule":"first""#),
                "stderr: \((try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "")")

        try Self.rule("second").write(to: config, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(try await Self.waitFor("configuration reloaded", in: stderrFile).contains("configuration reloaded"))
        send("b")
        #expect(try await Self.waitFor(#""call":"b","rule":"second""#, in: stdoutFile).contains(#""call":"b","rule":"second""#))

        try "[user]\nnumber = 201\n".write(to: config, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        let errors = try await Self.waitFor("reload rejected", in: stderrFile)
        #expect(errors.contains(#"config.toml:2:10: number must be a string: write number = "201""#))
        send("c")
        #expect(try await Self.waitFor(#""call":"c","rule":"second""#, in: stdoutFile).contains(#""call":"c","rule":"second""#))

        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning, "the agent did not stop on SIGTERM")
        try writer.close()
    }
}
