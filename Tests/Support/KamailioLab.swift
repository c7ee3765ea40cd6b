import CallPopCore
public import CallPopSIP
public import Foundation
import Glibc
import Testing

/// The lab Kamailio (Tests/Fixtures/sip-lab) and sipp phones, driven from tests.
public enum KamailioLab {
    public static let labDir = Fixtures.url("sip-lab")
    /// A run dir of our own, so a developer's lab in the default dir is left alone.
    public static let runDir = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-sip-tests-\(getpid())")

    /// Whether kamailio and sipp are installed; when CI=true their absence fails the test.
    public static func available() -> Bool {
        let missing = ["kamailio", "sipp"].filter { tool in
            !["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"].contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
            }
        }
        if missing.isEmpty { return true }
        let reason = "missing \(missing.joined(separator: ", ")) (apt-get install kamailio kamailio-presence-modules sip-tester)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("Kamailio lab tests cannot run: \(reason)")
        } else {
            print("skipping Kamailio lab test: \(reason)")
        }
        return false
    }

    /// Runs a lab script with KAMAILIO_LAB_DIR set to our run dir.
    public static func shell(_ script: URL, _ arguments: [String] = []) async throws -> Int32 {
        try await ChildProcess.run(["/bin/bash", script.path] + arguments, environment: ["KAMAILIO_LAB_DIR": runDir.path])
    }

    public static func start() async throws {
        // start.sh's readiness probe would be answered by a stray server: refuse to test against it.
        guard !ChildProcess.udpPortBusy(5160) else {
            Issue.record("UDP 127.0.0.1:5160 is already in use (another Kamailio lab?); stop it first")
            throw LabError("port 5160 busy")
        }
        #expect(try await shell(labDir.appendingPathComponent("kamailio/start.sh")) == 0, "kamailio start.sh failed; see \(runDir.path)/kamailio.log")
    }

    public static func stop() async {
        _ = try? await shell(labDir.appendingPathComponent("kamailio/stop.sh"))
    }

    /// Runs `body` with a fresh Kamailio, stopped afterwards whatever happens.
    public static func withLab<T>(_ body: () async throws -> T) async throws -> T {
        try await start()
        do {
            let result = try await body()
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// Plays a recorded scenario's phones (register + call) and waits for sipp to finish.
    public static func play(_ scenario: String) async throws {
        let logs = runDir.appendingPathComponent("sipp-\(scenario)-\(UUID().uuidString.prefix(8))")
        #expect(try await shell(labDir.appendingPathComponent("tools/play_scenario.sh"), [scenario, logs.path]) == 0,
                "sipp scenario \(scenario) failed; logs in \(logs.path)")
    }

    /// The system python (Kamailio depends on it), not a version-manager shim that would
    /// stand between our signals and the script.
    public static var python: [String] {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? ["/usr/bin/python3"] : ["/usr/bin/env", "python3"]
    }

    /// Sends `message` over UDP with tools/send_sip.py; the first line of the answer.
    public static func sendUDP(_ message: SIPMessage, host: String, port: UInt16) async throws -> String? {
        let id = UUID().uuidString.prefix(8)
        let file = runDir.appendingPathComponent("forged-\(id).sip")
        let answer = runDir.appendingPathComponent("forged-\(id).answer")
        try Data(message.serialized()).write(to: file)
        let status = try await ChildProcess.run(
            python + [labDir.appendingPathComponent("tools/send_sip.py").path, host, "\(port)", file.path], output: answer.path)
        guard status == 0 else { return nil }
        return try String(contentsOf: answer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The source as configured for the lab user 201.
    public static func configuration(password: String = "201-secret", transport: SIPTransport = .udp, proxyPort: Int = 5160, expires: Int = 600) -> SIPSourceConfiguration {
        SIPSourceConfiguration(
            uri: SIPURI("sip:201@127.0.0.1")!, password: SIPSecret(password), transport: transport,
            outboundProxy: SIPURI("sip:127.0.0.1:\(proxyPort)"), expires: expires)
    }
}

/// `tools/udp_relay.py` between the source and Kamailio: counts and drops datagrams.
public final class UDPRelay: Sendable {
    public let port: Int
    public let log: URL
    private let pid: pid_t

    public init(dropSubscribes: Int = 0, dumpDirectory: URL? = nil) async throws {
        let id = UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(at: KamailioLab.runDir, withIntermediateDirectories: true)
        log = KamailioLab.runDir.appendingPathComponent("relay-\(id).log")
        let portFile = KamailioLab.runDir.appendingPathComponent("relay-\(id).port")
        pid = try ChildProcess.spawn(KamailioLab.python + [
            KamailioLab.labDir.appendingPathComponent("tools/udp_relay.py").path,
            "--port-file", portFile.path, "--log", log.path, "--drop-subscribes", "\(dropSubscribes)",
        ] + (dumpDirectory.map { ["--dump-dir", $0.path] } ?? []))
        var port: Int?
        for _ in 0..<100 where port == nil {
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) }
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard let port else {
            kill(pid, SIGKILL)
            _ = await ChildProcess.wait(pid)
            throw LabError("udp_relay.py did not start")
        }
        self.port = port
    }

    /// The relay's log lines: "c2s pass SUBSCRIBE sip:… SIP/2.0 | 2 SUBSCRIBE".
    public var lines: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() async {
        kill(pid, SIGTERM)
        _ = await ChildProcess.wait(pid)
    }
}

/// A lab that could not be set up.
public struct LabError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
