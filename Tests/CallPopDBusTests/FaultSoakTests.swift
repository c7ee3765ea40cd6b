import CallPopTestSupport
import Foundation
import Synchronization
import Testing

/// The fault soak of issue #10: the built `callpop run` against a replaying Asterisk
/// (`Tests/Tools/ami_replay.py`: the recorded calls with rewritten ids) and the recording
/// notification server on a private bus, through the faults a desktop meets:
/// - the AMI connection cut at random points of a busy stream: every popup the replay
///   expects fires, none twice;
/// - the notification server gone and back mid-call: later calls still notify;
/// - a broken configuration reloaded: the old rules keep working;
/// - the URL opener missing and an app that never ends: later popups still open, and the
///   agent's threads and descriptors stay as many as they were.
///
/// Short by default (CI); `scripts/fault-soak.sh` runs the long form (CALLPOP_SOAK=long).
@Suite("fault soak", .serialized)
struct FaultSoakTests {
    struct Form {
        var calls: Int
        var cuts: Int
        var hangingPopups: Int
    }

    /// Short or long (CALLPOP_SOAK=long); CALLPOP_SOAK_CALLS and CALLPOP_SOAK_CUTS override.
    static let form: Form = {
        let environment = ProcessInfo.processInfo.environment
        var form = environment["CALLPOP_SOAK"] == "long"
            ? Form(calls: 600, cuts: 200, hangingPopups: 200)
            : Form(calls: 60, cuts: 20, hangingPopups: 12)
        if let calls = environment["CALLPOP_SOAK_CALLS"].flatMap(Int.init) { form.calls = calls }
        if let cuts = environment["CALLPOP_SOAK_CUTS"].flatMap(Int.init) { form.cuts = cuts }
        return form
    }()

    static let secret = "soak-secret"

    /// The rules of the soak: one per automatic trigger, opened through a recording opener.
    static func configuration(port: Int, opener: String, extraRules: String = "") -> String {
        """
        [user]
        number = "201"
        name = "Alice Agent"
        country_code = "44"

        [pbx]
        source = "ami"
        url = "ami://127.0.0.1:\(port)"
        username = "popup"
        reconnect_max = 1

        [launch]
        opener = "\(opener)"
        max_per_minute = 0

        [[popup]]
        name = "CRM"
        trigger = "ringing"
        url = "https://crm.example.com/search?phone={CALLERNUM:e164}&name={CALLERNAME}"

        [[popup]]
        name = "Outgoing"
        trigger = "call-generation"
        url = "https://crm.example.com/dial?phone={CALLERNUM}"

        [[popup]]
        name = "Answered"
        trigger = "answer"
        url = "https://crm.example.com/answered?phone={CALLERNUM}"
        \(extraRules)
        """
    }

    /// `Tests/Tools/ami_replay.py`, driven through its stdin, answering on its stdout.
    final class Replay: Sendable {
        let process: Process
        let port: Int
        let callsFile: URL
        let log: URL
        private let input: FileHandle
        private let answers = LineCollector()

        init(directory: URL) async throws {
            let portFile = directory.appendingPathComponent("replay.port")
            callsFile = directory.appendingPathComponent("replay.calls")
            log = directory.appendingPathComponent("replay.log")
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", Fixtures.repositoryRoot.appendingPathComponent("Tests/Tools/ami_replay.py").path,
                "--fixtures", Fixtures.url("asterisk-22").path, "--port-file", portFile.path, "--log", log.path,
                "--calls-file", callsFile.path, "--secret", FaultSoakTests.secret,
            ]
            let stdin = Pipe(), stdout = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            input = stdin.fileHandleForWriting
            try process.run()
            var found: Int?
            for _ in 0..<200 where found == nil {
                found = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) }
                if found == nil { try await Task.sleep(for: .milliseconds(25)) }
            }
            guard let found else { throw TestBus.StartError(description: "ami_replay.py did not start") }
            port = found
            let answers = self.answers
            stdout.fileHandleForReading.readabilityHandler = { answers.consume($0.availableData) }
        }

        /// Sends `command` and waits for its answer ("done …"), failing on "error …" or after `timeout`.
        func run(_ command: String, timeout: Duration = .seconds(60)) async throws {
            input.write(Data((command + "\n").utf8))
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let answer = answers.take({ $0 == "done \(command)" || $0.hasPrefix("error \(command)") }) {
                    guard answer.hasPrefix("done") else { throw TestBus.StartError(description: answer) }
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw TestBus.StartError(description: "ami_replay.py did not finish '\(command)' within \(timeout)")
        }

        /// The replay's own list: every call sent and the triggers whose popups it must fire.
        var expectedPopups: [String] {
            let lines = ((try? String(contentsOf: callsFile, encoding: .utf8)) ?? "").split(separator: "\n")
            return lines.flatMap { line -> [String] in
                let words = line.split(separator: " ")
                guard words.count == 3, words[2] != "-" else { return [] }
                return words[2].split(separator: ",").map { "\(words[0]) \($0)" }
            }.sorted()
        }

        func stop() {
            input.write(Data("quit\n".utf8))
            if process.isRunning { process.terminate() }
        }
    }

    /// Lines a process writes to a pipe, as they come.
    final class LineCollector: Sendable {
        private let lines = Mutex<[String]>([])
        private let partial = Mutex(Data())

        func consume(_ data: Data) {
            let complete = partial.withLock { buffer -> [String] in
                buffer.append(data)
                var complete: [String] = []
                while let newline = buffer.firstIndex(of: 0x0A) {
                    complete.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
                return complete
            }
            lines.withLock { $0 += complete }
        }

        var all: [String] { lines.withLock { $0 } }

        /// Removes and returns the first line that `matches`.
        func take(_ matches: (String) -> Bool) -> String? {
            lines.withLock { lines in
                guard let index = lines.firstIndex(where: matches) else { return nil }
                return lines.remove(at: index)
            }
        }
    }

    /// The agent's decisions (`--json` on stdout), as they come.
    final class Decisions: Sendable {
        let output = LineCollector()

        /// "CALL TRIGGER" of every launch decision, sorted.
        var launches: [String] {
            output.all.compactMap { line -> String? in
                guard let data = line.data(using: .utf8),
                      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      object["decision"] as? String == "launch",
                      let call = object["call"] as? String, let trigger = object["trigger"] as? String
                else { return nil }
                return "\(call) \(trigger)"
            }.sorted()
        }

        /// Waits until `done` holds for the launches, or `timeout` passed; the launches.
        func launches(within timeout: Duration, until done: ([String]) -> Bool) async throws -> [String] {
            let deadline = ContinuousClock.now + timeout
            var current = launches
            while ContinuousClock.now < deadline, !done(current) {
                try await Task.sleep(for: .milliseconds(50))
                current = launches
            }
            return current
        }
    }

    /// The agent's thread and open-descriptor counts.
    static func resources(_ pid: Int32) -> (threads: Int, descriptors: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let threads = status.split(separator: "\n").first { $0.hasPrefix("Threads:") }
            .flatMap { Int($0.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) } ?? -1
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        return (threads, descriptors)
    }

    /// The server's call count once no call has come for half a second (the notifications
    /// of a burst of calls arrive after their decisions).
    static func settled(_ server: FakeNotificationServer) async throws -> Int {
        var count = await server.calls.count
        for _ in 0..<120 {
            try await Task.sleep(for: .milliseconds(500))
            let now = await server.calls.count
            if now == count { return now }
            count = now
        }
        return count
    }

    /// Lines in `file`, once at least `count` are there (or after `timeout`).
    static func lines(of file: URL, atLeast count: Int, within timeout: Duration = .seconds(20)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var lines: [String] = []
        while ContinuousClock.now < deadline {
            lines = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            if lines.count >= count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return lines
    }

    @Test func theAgentRidesThroughFaults() async throws {
        guard TestEnvironment.canRunBusTests else { return }
        try await withTestBus { bus in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-soak-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            func script(_ name: String, _ body: String) throws -> URL {
                let url = directory.appendingPathComponent(name)
                try ("#!/bin/sh\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
                return url
            }
            let openedLog = directory.appendingPathComponent("opened.log")
            let opener = try script("opener", "printf '%s\\n' \"$1\" >> '\(openedLog.path)'")
            let recordedLog = directory.appendingPathComponent("recorded.log")
            let recorder = try script("record", "printf '%s\\n' \"$CALLPOP_CALLID\" >> '\(recordedLog.path)'")
            let hangingPIDs = directory.appendingPathComponent("hanging.pids")
            let hanging = try script("hang", "echo $$ >> '\(hangingPIDs.path)'\nexec sleep 100000")
            defer {
                // The program that never ends runs in its own session: end each one by its pid.
                let pids = ((try? String(contentsOf: hangingPIDs, encoding: .utf8)) ?? "").split(separator: "\n")
                for pid in pids.compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }

            var server = try await FakeNotificationServer.start(on: bus)
            let replay = try await Replay(directory: directory)
            defer { replay.stop() }
            let config = directory.appendingPathComponent("config.toml")
            try Self.configuration(port: replay.port, opener: opener.path).write(to: config, atomically: true, encoding: .utf8)
            let environment = [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": directory.path, "DBUS_SESSION_BUS_ADDRESS": bus.address,
                "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
                "XDG_DATA_HOME": directory.appendingPathComponent("data").path, "XDG_DATA_DIRS": directory.path,
                "CALLPOP_PBX_PASSWORD": Self.secret,
            ]
            let agentLog = directory.appendingPathComponent("agent.log")
            _ = FileManager.default.createFile(atPath: agentLog.path, contents: nil)
            let agent = Process()
            agent.executableURL = AgentDesktopTests.binary
            agent.arguments = ["run", "--config", config.path, "--json", "--control"]
            agent.environment = environment
            let stdout = Pipe()
            let decisions = Decisions()
            stdout.fileHandleForReading.readabilityHandler = { decisions.output.consume($0.availableData) }
            agent.standardOutput = stdout
            agent.standardError = try FileHandle(forWritingTo: agentLog)
            try agent.run()
            defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
            func agentLogText() -> String { (try? String(contentsOf: agentLog, encoding: .utf8)) ?? "" }

            // 1. A busy stream cut at random points: the replay's popups, each exactly once.
            let started = ContinuousClock.now
            try await replay.run("busy \(Self.form.calls) \(Self.form.cuts) 10", timeout: .seconds(Self.form.cuts * 4 + 60))
            var expected = replay.expectedPopups
            var launched = try await decisions.launches(within: .seconds(20)) { $0.count >= expected.count }
            #expect(launched == expected, "missing \(Set(expected).subtracting(launched).sorted().prefix(10)), extra \(launched.count - expected.count)")
            let reconnects = replay.logLines.filter { $0.hasSuffix(" connected") }.count - 1
            #expect(reconnects == Self.form.cuts, "\(reconnects) reconnections for \(Self.form.cuts) cuts")
            print("soak: \(Self.form.calls) calls, \(Self.form.cuts) cuts, \(reconnects) reconnections, \(expected.count) popups expected, \(launched.count) launched, duplicates \(launched.count - Set(launched).count), in \(ContinuousClock.now - started)")

            // 2. The notification server leaves mid-call and comes back: later calls still notify.
            let before = try await Self.settled(server)
            try await replay.run("until inbound-answered ChannelStateDesc: Ringing")
            do {
                _ = try await server.waitForCalls(before + 1, "the notification of the ringing call")
            } catch {
                print("soak: no notification; the server got \(before) calls before, \(await server.calls.count) now; agent log:\n" + agentLogText().suffix(3000))
                throw error
            }
            await server.quit()
            try await replay.run("rest")
            server = try await FakeNotificationServer.start(on: bus)
            try await replay.run("call inbound-missed")
            let afterRestart = try await server.waitForCalls(1, "a notification from the restarted server")
            #expect(afterRestart.first?.notify != nil, "\(afterRestart)")

            // 3. A broken configuration is refused on reload; the old rules keep working.
            try "[user]\nnumber = 201\n".write(to: config, atomically: true, encoding: .utf8)
            let (badReload, _, badReason) = try await offPool { try AgentDesktopTests.callpop(["reload"], environment: environment) }
            #expect(badReload == 1, "\(badReason)")
            #expect(badReason.contains("number must be a string"), "\(badReason)")
            try await replay.run("call inbound-answered")
            expected = replay.expectedPopups
            launched = try await decisions.launches(within: .seconds(10)) { $0.count >= expected.count }
            #expect(launched == expected, "after the refused reload: missing \(Set(expected).subtracting(launched).sorted())")

            // 4. The opener goes missing and an app never ends: later popups still open, and
            //    the agent keeps as many threads and descriptors as it had.
            try Self.configuration(port: replay.port, opener: "/nonexistent/xdg-open", extraRules: """

                [[popup]]
                name = "Hangs"
                trigger = "ringing"
                app = "\(hanging.path)"

                [[popup]]
                name = "Recorded"
                trigger = "answer"
                app = "\(recorder.path)"
                """).write(to: config, atomically: true, encoding: .utf8)
            let (reload, _, reloadReason) = try await offPool { try AgentDesktopTests.callpop(["reload"], environment: environment) }
            #expect(reload == 0, "\(reloadReason)")
            for _ in 0..<3 { try await replay.run("call inbound-answered") }
            _ = try await Self.lines(of: recordedLog, atLeast: 3)
            try await Task.sleep(for: .milliseconds(500))
            let warm = Self.resources(agent.processIdentifier)
            for _ in 0..<Self.form.hangingPopups { try await replay.run("call inbound-answered") }
            let recorded = try await Self.lines(of: recordedLog, atLeast: 3 + Self.form.hangingPopups)
            #expect(recorded.count == 3 + Self.form.hangingPopups, "later popups did not all open: \(recorded.count)")
            let hangingNow = try await Self.lines(of: hangingPIDs, atLeast: 3 + Self.form.hangingPopups)
            #expect(hangingNow.count == 3 + Self.form.hangingPopups)
            try await Task.sleep(for: .milliseconds(500))
            let after = Self.resources(agent.processIdentifier)
            #expect(after.threads == warm.threads, "threads \(warm.threads) → \(after.threads) with \(hangingNow.count) programs still running")
            #expect(after.descriptors == warm.descriptors, "descriptors \(warm.descriptors) → \(after.descriptors)")
            #expect(agentLogText().contains("cannot start '/nonexistent/xdg-open'"))
            print("soak: \(hangingNow.count) programs that never end, opener missing: threads \(warm.threads) → \(after.threads), descriptors \(warm.descriptors) → \(after.descriptors)")

            kill(agent.processIdentifier, SIGTERM)
            try await offPool { agent.waitUntilExit() }
            #expect(agent.terminationStatus == 0, "\(agentLogText().suffix(2000))")
        }
    }
}

extension FaultSoakTests.Replay {
    /// The replay server's log: the actions it was sent, its connections and its cuts.
    var logLines: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
