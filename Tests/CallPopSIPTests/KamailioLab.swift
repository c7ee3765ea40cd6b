import CallPopCore
import CallPopSIP
import CallPopTestSupport
import Foundation
import Testing

/// The lab Kamailio (Tests/Fixtures/sip-lab) and sipp phones, driven from tests.
enum KamailioLab {
    static let labDir = Fixtures.url("sip-lab")
    /// A run dir of our own, so a developer's lab in the default dir is left alone.
    static let runDir = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-sip-tests-\(getpid())")

    /// Whether kamailio and sipp are installed; when CI=true their absence fails the test.
    static func available() -> Bool {
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

    @discardableResult
    static func shell(_ script: URL, _ arguments: [String] = []) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KAMAILIO_LAB_DIR"] = runDir.path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func start() throws {
        #expect(try shell(labDir.appendingPathComponent("kamailio/start.sh")) == 0, "kamailio start.sh failed; see \(runDir.path)/kamailio.log")
    }

    static func stop() {
        _ = try? shell(labDir.appendingPathComponent("kamailio/stop.sh"))
    }

    /// Plays a recorded scenario's phones (register + call) and waits for sipp to finish.
    static func play(_ scenario: String) throws {
        let logs = runDir.appendingPathComponent("sipp-\(scenario)-\(UUID().uuidString.prefix(8))")
        #expect(try shell(labDir.appendingPathComponent("tools/play_scenario.sh"), [scenario, logs.path]) == 0,
                "sipp scenario \(scenario) failed; logs in \(logs.path)")
    }

    /// The source as configured for the lab user 201.
    static func configuration(password: String = "201-secret", transport: SIPTransport = .udp, proxyPort: Int = 5160, expires: Int = 600) -> SIPSourceConfiguration {
        SIPSourceConfiguration(
            uri: SIPURI("sip:201@127.0.0.1")!, password: SIPSecret(password), transport: transport,
            outboundProxy: SIPURI("sip:127.0.0.1:\(proxyPort)"), expires: expires)
    }
}

/// A running `SIPDialogSource` and what it delivered.
final class RunningSource: Sendable {
    let recorder = OutputRecorder()
    private let task: Task<Void, any Error>

    init(_ configuration: SIPSourceConfiguration) {
        let recorder = recorder
        task = Task {
            try await SIPDialogSource(configuration: configuration).run(
                emit: { await recorder.add(event: $0) }, report: { await recorder.add(report: $0) })
        }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Collects events and reports; lets a test wait for a condition without sleeping blindly.
actor OutputRecorder {
    private(set) var events: [CallEvent] = []
    private(set) var reports: [SourceReport] = []
    private var waiters: [UUID: (condition: @Sendable ([CallEvent], [SourceReport]) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = [:]

    func add(event: CallEvent) { events.append(event); check() }
    func add(report: SourceReport) { reports.append(report); check() }

    /// Waits until `condition` holds or `seconds` pass; returns whether it held.
    func wait(seconds: Double, until condition: @escaping @Sendable ([CallEvent], [SourceReport]) -> Bool) async -> Bool {
        if condition(events, reports) { return true }
        let id = UUID()
        return await withCheckedContinuation { continuation in
            waiters[id] = (condition, continuation)
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                self.expire(id)
            }
        }
    }

    private func expire(_ id: UUID) {
        waiters.removeValue(forKey: id)?.continuation.resume(returning: false)
    }

    private func check() {
        for (id, waiter) in waiters where waiter.condition(events, reports) {
            waiters.removeValue(forKey: id)?.continuation.resume(returning: true)
        }
    }
}
