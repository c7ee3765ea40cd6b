public import Foundation
import Glibc
import Testing

/// Runs the repository's test-server scripts and other programs from tests, off the
/// cooperative pool, with their output captured for failure messages.
public enum TestProgram {
    /// The repository's top directory.
    public static var repositoryRoot: URL { Fixtures.repositoryRoot }

    /// The outcome of a run.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs `arguments` (argv[0] a path) to completion with stdin on /dev/null; stdout and
    /// stderr together in `output`.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-test-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = try await ChildProcess.run(["/bin/bash", "-c", "exec \"$@\" 2>&1", "bash"] + arguments, environment: environment, output: output.path)
        return Outcome(status: status, output: (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).
    public static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 ? getsockname(fd, pointer, &length) : -1
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Whether `tool` is installed; when not, the test is skipped with a notice, or fails under CI
    /// (CI installs everything from scripts/deps.sh, so a missing tool there is a defect).
    public static func available(_ tools: [String], install: String) -> Bool {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
        let missing = tools.filter { tool in
            !path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
        }
        guard !missing.isEmpty else { return true }
        let reason = "missing \(missing.joined(separator: ", ")) (\(install))"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("tests cannot run: \(reason)")
        }
        print("skipping: \(reason)")
        return false
    }
}
