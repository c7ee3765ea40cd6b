import CallPopTestSupport
import Foundation
import Glibc
import Synchronization

/// The built `callpop run` as a child of the test, with its stderr in a file, and a
/// `NOTIFY_SOCKET` of its own where the agent's systemd datagrams arrive.
final class AgentProcess: Sendable {
    let process: Process
    let log: URL

    /// Starts `callpop ARGS` with `environment`; stderr goes to `log` (a file, not a terminal,
    /// as under systemd).
    init(_ arguments: [String], environment: [String: String], log: URL) throws {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = AgentDesktopTests.binary
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        self.process = process
        self.log = log
    }

    /// The exit status, once the agent has exited (failing after `timeout`).
    func exitStatus(within timeout: Duration = .seconds(15)) async throws -> Int32 {
        let process = self.process
        return try await within(timeout, "the agent to exit") {
            try await offPool { process.waitUntilExit() }
            return process.terminationStatus
        }
    }

    /// Stops the agent (SIGTERM) and waits for it.
    func stop() async throws {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGTERM) }
        _ = try? await exitStatus(within: .seconds(5))
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// Kills the agent at once, for a test's way out (a `defer` cannot wait).
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    var stderr: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}

/// A datagram socket standing in for systemd's notify socket: records what arrives.
final class NotifySocketRecorder: Sendable {
    let path: String
    private let fd: Int32
    private let received = Received()

    private final class Received: Sendable {
        let lines = Mutex<[String]>([])
    }

    init(directory: URL) throws {
        path = directory.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw TestBus.StartError(description: "cannot bind \(path)") }
        let socket = fd
        let received = self.received
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(socket, &buffer, buffer.count, 0)
                guard count > 0 else { return }  // closed by deinit
                received.lines.withLock { $0.append(String(decoding: buffer[..<count], as: UTF8.self)) }
            }
        }.start()
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// Every datagram so far.
    var datagrams: [String] { received.lines.withLock { $0 } }

    /// The datagrams once one satisfies `condition` (failing after `timeout`).
    func wait(_ what: String, timeout: Duration = .seconds(15), until condition: @escaping @Sendable (String) -> Bool) async throws -> [String] {
        try await within(timeout, what) {
            while true {
                let all = self.datagrams
                if all.contains(where: condition) { return all }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
