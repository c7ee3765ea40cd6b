import CallPopTestSupport
import Foundation
import Testing

/// `init` then `autostart enable`, and misspelt commands, through the built binary.
@Suite("callpop autostart enable refuses what could not run; unknown commands")
struct SetupCommandTests {
    /// The install guide's first steps used to leave an agent that exited 78 at every login.
    @Test func autostartRefusesAConfigurationTheAgentCouldNotRunWith() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        // The packaged autostart entry, where a package installs it.
        let share = h.directory.appendingPathComponent("share/callpop")
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.repositoryRoot.appendingPathComponent("packaging/callpop.desktop"), to: share.appendingPathComponent("callpop.desktop"))
        let userEntry = h.directory.appendingPathComponent("home/.config/autostart/callpop.desktop").path

        let initialised = try await h.run(["init", "--number", "201", "--name", "Alice"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let refused = try await h.run(["autostart", "enable"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("callpop autostart: not enabled: no PBX is configured in "), "\(refused.stderr)")
        #expect(refused.stderr.contains("so callpop would stop at every login: set [pbx]"))
        #expect(!FileManager.default.fileExists(atPath: userEntry))

        let config = h.directory.appendingPathComponent("home/.config/callpop/config.toml")
        try "[user]\nnumber = 201\n".write(to: config, atomically: true, encoding: .utf8)
        let broken = try await h.run(["autostart", "enable"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("config.toml:2:10: number must be a string"), "\(broken.stderr)")
        #expect(broken.stderr.contains("callpop autostart: not enabled: fix the configuration first"))

        try "[user]\nnumber = \"201\"\n\n[pbx]\nsource = \"events\"\npath = \"/run/user/1000/callpop-events\"\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let enabled = try await h.run(["autostart", "enable"])
        #expect(enabled.status == 0, "\(enabled.stderr)")
        #expect(enabled.stdout.hasPrefix("using the XDG autostart entry: no systemd user manager runs"), "\(enabled.stdout)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: userEntry) == share.appendingPathComponent("callpop.desktop").path)
        let status = try await h.run(["autostart", "status"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("this desktop: the XDG entry starts callpop here: no systemd user manager runs"), "\(status.stdout)")
    }

    @Test("a misspelt command is named with the one that was meant", arguments: [
        (["chek"], "callpop: unknown command 'chek'; did you mean 'check'? (see `callpop --help`)"),
        (["histroy"], "callpop: unknown command 'histroy'; did you mean 'history'? (see `callpop --help`)"),
        (["autostart", "enabel"], "callpop autostart: unknown command 'enabel'; did you mean 'enable'? (see `callpop autostart --help`)"),
    ])
    func misspeltCommands(_ arguments: [String], _ message: String) async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let result = try await h.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr == message + "\n")
    }
}
