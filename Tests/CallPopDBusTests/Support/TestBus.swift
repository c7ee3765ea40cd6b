import CallPopTestSupport
import Foundation
import Testing

/// Where the bus tests can run: with `dbus-daemon` installed, or on CI, where
/// a missing daemon must fail the tests instead of skipping them.
enum TestEnvironment {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The full path of a program on `PATH`.
    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let canRunBusTests: Bool = {
        let available = which("dbus-daemon") != nil
        if !available, !isCI {
            print("Skipping D-Bus tests: dbus-daemon is not installed (apt-get install dbus-daemon dbus-bin).")
        }
        return available || isCI
    }()
}

/// A private bus: a `dbus-daemon` of our own with `scripts/private-bus.conf`
/// (no service activation), the same bus `scripts/dbus-test-bus.sh` starts.
final class TestBus: Sendable {
    /// The address to connect to.
    let address: String
    private let process: Process
    private let directory: URL

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        guard let daemon = TestEnvironment.which("dbus-daemon") else {
            throw StartError(description: "dbus-daemon is not installed; CI must run `apt-get install dbus-daemon dbus-bin`")
        }
        let config = Fixtures.repositoryRoot.appendingPathComponent("scripts/private-bus.conf")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-bus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: daemon)
        process.arguments = [
            "--config-file=\(config.path)", "--address=unix:path=\(directory.path)/bus", "--nofork", "--print-address=1",
        ]
        process.standardOutput = output
        try process.run()
        // The daemon prints its address once it listens.
        address = Self.firstLine(of: output)
        guard !address.isEmpty else {
            kill(process.processIdentifier, SIGKILL)
            throw StartError(description: "dbus-daemon exited without printing its address")
        }
    }

    /// The first line a child writes to `pipe` (empty when it exits first), without its line break.
    static func firstLine(of pipe: Pipe) -> String {
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the daemon and removes its socket directory.
    func stop() {
        if process.isRunning {
            // SIGKILL: started from the test process, the daemon does not
            // reliably stop on SIGTERM, and a test bus has nothing to save.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        stop()
    }
}

/// Runs `body` with a fresh private bus, stopped afterwards.
func withTestBus(_ body: (TestBus) async throws -> Void) async throws {
    let bus = try TestBus()
    defer { bus.stop() }
    try await body(bus)
}

/// Fails the test when `operation` takes longer than `timeout`: a hung wait
/// on the bus becomes a clear failure, not a stuck test run.
func within<T: Sendable>(
    _ timeout: Duration = .seconds(5), _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TestBus.StartError(description: "timed out after \(timeout) waiting for \(what)")
        }
        return value
    }
}

/// The first element of a stream, or a failure after `timeout`.
func first<Stream: AsyncSequence & Sendable>(
    of stream: Stream, _ what: String, timeout: Duration = .seconds(5)
) async throws -> Stream.Element where Stream.Element: Sendable, Stream.Failure == Never {
    try await within(timeout, what) {
        for await element in stream { return element }
        throw TestBus.StartError(description: "the stream ended before \(what)")
    }
}
