import CallPopTestSupport
import Foundation
import Testing

/// `callpop ARGS` running in the background in a `Harness`, its stdout and stderr in files
/// the test reads while it runs.
final class RunningAgent: @unchecked Sendable {
    let process = Process()
    let stdout: URL
    let stderr: URL
    let started = ContinuousClock.now

    init(_ harness: Harness, _ arguments: [String], environment: [String: String] = [:], name: String = "agent") throws {
        stdout = harness.directory.appendingPathComponent("\(name).out")
        stderr = harness.directory.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.executableURL = Harness.binary
        process.arguments = arguments
        process.environment = harness.environment.merging(environment) { $1 }
        process.currentDirectoryURL = harness.directory
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
    }

    var output: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
    var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

    /// Waits until `condition` holds for stdout and stderr, or `seconds` pass; whether it held.
    @discardableResult
    func wait(seconds: Double = 20, until condition: (_ output: String, _ log: String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition(output, log) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(output, log)
    }

    /// Sends `signal` and waits (off the pool) for the process to end; its status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        let process = self.process
        try await offPool { process.waitUntilExit() }
        return process.terminationStatus
    }

    /// Waits for the process to end by itself (end of its event input).
    @discardableResult
    func finish(seconds: Double = 30) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { return try await stop(SIGKILL) }
        return process.terminationStatus
    }

    /// The decision and callback-result JSON lines printed so far.
    var jsonLines: [String] { output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") } }
}
