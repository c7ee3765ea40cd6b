import CallPopCore
import CallPopLaunch
import CallPopPlatform
import CallPopTestSupport
import Foundation
import Testing

/// The launcher's promises about the children it starts, checked from inside a real child.
@Suite("ProcessLauncher")
struct ProcessLauncherTests {
    /// Launches `/bin/sh -c SCRIPT` with `$1` = an output file and waits for it to end.
    static func launch(_ script: String, environment: [String: String] = [:]) async throws -> (LaunchOutcome, String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-launch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let launcher = ProcessLauncher(baseEnvironment: ["PATH": "/usr/bin:/bin"])
        let plan = LaunchPlan(action: .app, url: nil, argv: ["/bin/sh", "-c", script, "sh", output.path], environment: environment)
        let outcome: LaunchOutcome = try await withCheckedThrowingContinuation { continuation in
            do {
                try launcher.launch(plan) { continuation.resume(returning: $0) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
        return (outcome, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    @Test func childHasItsOwnSessionDevNullStdinAndNoInheritedDescriptors() async throws {
        // A descriptor of ours without close-on-exec, which the child must not get.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        // Everything is read from /proc/$$ before the shell opens the output file itself.
        let (outcome, text) = try await Self.launch("""
            i=$(readlink /proc/$$/fd/0); o=$(readlink /proc/$$/fd/1); f=$(ls /proc/$$/fd | sort -n | tr '\\n' ' ');             s=$(ps -o sid= -p $$ | tr -d ' '); printf 'pid %s\\nsid %s\\nstdin %s\\nstdout %s\\n%s\\n' "$$" "$s" "$i" "$o" "$f" > "$1"
            """)
        #expect(outcome.succeeded)
        let lines = text.split(separator: "\n").map(String.init)
        let pid = lines.first { $0.hasPrefix("pid ") }?.dropFirst(4)
        #expect(lines.contains("sid \(pid ?? "?")"), "not a session leader: \(text)")
        #expect(lines.contains("stdin /dev/null"))
        #expect(lines.contains("stdout /dev/null"))
        // 0, 1, 2 and the pipe of the shell's own command substitution; never ours.
        let fds = (lines.last ?? "").split(separator: " ").compactMap { Int($0) }
        #expect(!fds.contains(Int(leaked)), "the agent's descriptor \(leaked) leaked into the child: \(fds)")
    }

    /// Issue #10, finding 1: the variables secrets are read from never reach a child.
    @Test func secretVariablesAreWithheld() async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-launch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var launcher = ProcessLauncher(
            baseEnvironment: ["PATH": "/usr/bin:/bin", "CALLPOP_PBX_PASSWORD": "a", "MY_TOKEN": "b", "LATER": "c", "KEPT": "d"],
            withholding: ["MY_TOKEN"])
        launcher.withhold(["LATER"])
        #expect(launcher.withheld == ["CALLPOP_PBX_PASSWORD", "MY_TOKEN", "LATER"])
        let plan = LaunchPlan(action: .app, url: nil, argv: ["/bin/sh", "-c", "env > \"$0\"", output.path], environment: ["CALLPOP_CALLERNUM": "1"])
        let outcome: LaunchOutcome = try await withCheckedThrowingContinuation { continuation in
            do {
                try launcher.launch(plan) { continuation.resume(returning: $0) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
        #expect(outcome.succeeded)
        let names = Set(try String(contentsOf: output, encoding: .utf8).split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(names.isSuperset(of: ["PATH", "KEPT", "CALLPOP_CALLERNUM"]))
        #expect(names.isDisjoint(with: ["CALLPOP_PBX_PASSWORD", "MY_TOKEN", "LATER"]), "\(names.sorted())")
    }

    @Test func callVariablesArriveInTheEnvironmentAndExitStatusIsReported() async throws {
        let (outcome, text) = try await Self.launch(
            #"printf '%s' "$CALLPOP_CALLERNAME" > "$1"; exit 3"#, environment: ["CALLPOP_CALLERNAME": "Zoë; $(rm -rf ~)"])
        #expect(outcome.exitStatus == 3)
        #expect(!outcome.succeeded)
        #expect(text == "Zoë; $(rm -rf ~)")
    }

    @Test func aMissingProgramIsAnErrorNamingIt() throws {
        let launcher = ProcessLauncher(baseEnvironment: ["PATH": "/nonexistent"])
        let plan = LaunchPlan(action: .app, url: nil, argv: ["callpop-no-such-program"], environment: [:])
        let error = #expect(throws: LaunchError.self) { try launcher.launch(plan) { _ in } }
        #expect(error?.message == "cannot start 'callpop-no-such-program': not found on PATH")
    }

}
