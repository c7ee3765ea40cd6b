import CallPopConfig
import CallPopCore
import CallPopRuntime
import CallPopSources
import CallPopTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Issue #10, findings 1 and 4: what launched programs inherit, and reloads that must not
/// hang the agent.
@Suite(.timeLimit(.minutes(1))) struct AgentHardeningTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-agent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `[user]` and an AMI `[pbx]` without its secret.
    static let amiHead = "[user]\nnumber = \"201\"\n[pbx]\nsource = \"ami\"\nurl = \"ami://127.0.0.1:5038\"\nusername = \"popup\""

    // MARK: Finding 1: secrets never reach children

    @Test("children get the session's environment without the secrets callpop reads", arguments: [
        // password_env names the variable; the default one is withheld all the same.
        ("password_env = \"CRM_PBX_SECRET\"", ["CRM_PBX_SECRET", "CALLPOP_PBX_PASSWORD"]),
        // Without it, the default variable holds the secret; any other is the session's own.
        ("", ["CALLPOP_PBX_PASSWORD"]),
    ])
    func secretsAreWithheldFromChildren(_ passwordLine: String, _ withheld: [String]) async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dump = directory.appendingPathComponent("env.txt")
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": directory.path, "KEEP_ME": "kept",
            "CRM_PBX_SECRET": "secret-from-password-env", "CALLPOP_PBX_PASSWORD": "secret-from-default-variable",
            "CALLPOP_CALLERNAME": "stale value from the session",
        ]
        let configuration = try ConfigurationLoader(environment: environment).load(text: """
            \(Self.amiHead)
            \(passwordLine)
            [[popup]]
            name = "Dump"
            trigger = "ringing"
            app = ["/bin/sh", "-c", "env > \\"$0\\"", "\(dump.path)"]
            """, name: "test.toml")
        #expect(configuration.pbx.secret != nil)
        let agent = Agent(
            configuration: configuration, options: .init(dryRun: false, output: DecisionOutput(format: .json, toStandardOutput: false)),
            logger: Logger(label: "test"), environment: environment)
        await agent.handle(CallEvent(callID: "c1", state: .ringing, direction: .incoming, remoteNumber: "+442071234567", remoteName: "John"))
        await agent.waitForChildren(timeout: .seconds(10))
        let lines = Set(try String(contentsOf: dump, encoding: .utf8).split(separator: "\n").map(String.init))
        #expect(lines.contains("KEEP_ME=kept"))
        #expect(lines.contains("CALLPOP_CALLERNUM=+442071234567"))
        #expect(lines.contains("CALLPOP_CALLERNAME=John"))
        for name in environment.keys where name.hasSuffix("SECRET") || name.hasSuffix("PASSWORD") {
            let inherited = lines.contains { $0.hasPrefix(name + "=") }
            #expect(inherited == !withheld.contains(name), "\(name): \(lines.sorted())")
        }
    }

    // MARK: Finding 4: reading configuration and secret files never waits

    /// A FIFO as `password_file`: the reload answers at once with an error, the old rules stay.
    @Test func aReloadThatMeetsAFIFOAnswersAtOnce() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("ami.secret").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let config = directory.appendingPathComponent("config.toml")
        try """
            \(Self.amiHead)
            password_file = "\(fifo)"
            [[popup]]
            name = "second"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUM}"
            """.write(to: config, atomically: true, encoding: .utf8)
        let first = try ConfigurationLoader(environment: [:]).load(text: """
            [user]
            number = "201"
            [[popup]]
            name = "first"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUM}"
            """, name: "first.toml")
        let agent = Agent(
            configuration: first, options: .init(dryRun: true, output: DecisionOutput(format: .json, toStandardOutput: false)),
            logger: Logger(label: "test"), environment: [:])
        let runner = AgentRunner(
            agent: agent, source: EventStreamSource(path: "/dev/null"), logger: Logger(label: "test"),
            reloadConfiguration: {
                do throws(ConfigurationError) {
                    return .success(try ConfigurationLoader(environment: [:]).load(explicitFile: config.path))
                } catch {
                    return .failure(error)
                }
            })
        let answer = Task { await runner.reload() }
        let answered = await Self.within(.seconds(3)) { _ = await answer.value }
        if !answered {
            Issue.record("the reload waited for a writer on the FIFO")
            // Release the reader so that the test ends.
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
        }
        let problem = await answer.value
        #expect(problem?.contains("password_file '\(fifo)'") == true, "\(problem ?? "nil")")
        #expect(problem?.contains("not a regular file") == true, "\(problem ?? "nil")")
        #expect(await agent.configuration.ruleSet.rules.map(\.name) == ["first"])
    }

    /// A reload whose reading blocks (a slow disk, a network file system) must not take the
    /// cooperative pool with it: the agent answers status meanwhile.
    @Test func aSlowReloadDoesNotHoldTheAgent() async throws {
        let configuration = try ConfigurationLoader(environment: [:]).load(text: "[user]\nnumber = \"201\"\n", name: "t.toml")
        let agent = Agent(
            configuration: configuration, options: .init(dryRun: true, output: DecisionOutput(format: .json, toStandardOutput: false)),
            logger: Logger(label: "test"), environment: [:])
        let release = Mutex(false)
        let runner = AgentRunner(
            agent: agent, source: EventStreamSource(path: "/dev/null"), logger: Logger(label: "test"),
            reloadConfiguration: {
                // Blocks its thread the way a read from a hung file system would.
                while !release.withLock({ $0 }) { usleep(10_000) }
                return .success(configuration)
            })
        // Whatever happens, the blocked readers are released after 3 s, so the test ends.
        Thread.detachNewThread {
            sleep(3)
            release.withLock { $0 = true }
        }
        // More blocked reloads than the pool has threads; on a held pool even the sleep waits.
        let started = ContinuousClock.now
        let reloads = (0..<(ProcessInfo.processInfo.activeProcessorCount + 1)).map { _ in Task { await runner.reload() } }
        try await Task.sleep(for: .milliseconds(200))
        let answeredAt = await Task { _ = await agent.statusJSON(); return ContinuousClock.now }.value
        #expect(answeredAt - started < .seconds(1), "status waited \(answeredAt - started) for the reloads")
        for reload in reloads { #expect(await reload.value == nil) }
    }

    /// Whether `body` finished within `bound` (it runs on regardless).
    static func within(_ bound: Duration, _ body: @escaping @Sendable () async -> Void) async -> Bool {
        let done = Mutex(false)
        let work = Task {
            await body()
            done.withLock { $0 = true }
        }
        let deadline = ContinuousClock.now + bound
        while ContinuousClock.now < deadline, !done.withLock({ $0 }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        _ = work
        return done.withLock { $0 }
    }
}
