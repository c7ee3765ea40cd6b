import CallPopConfig
import CallPopSetup
import Foundation
import Testing

/// `callpop init`'s starter file (kept beside the autostart tests: both set up a new user).
@Suite("callpop init starter configuration")
struct AutostartInitTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-init-\(UUID().uuidString)")
    var file: String { directory.appendingPathComponent("callpop/config.toml").path }

    func load(_ path: String) throws -> Configuration {
        try ConfigurationLoader(environment: ["PATH": "/usr/bin:/bin"]).load(explicitFile: path)
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test("the starter passes the loader `callpop check` uses, with the user's number and name intact")
    func passesCheck() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let name = "Zoë \"Q\" O'Brien \\ [x] # not a comment"
        try StarterConfiguration(number: "201", name: name).write(to: file, force: false)
        let configuration = try load(file)
        #expect(configuration.ruleSet.user.number == "201")
        #expect(configuration.ruleSet.user.name == name)
        #expect(configuration.ruleSet.rules.isEmpty)
        #expect(configuration.pbx.source == .none)
    }

    @Test("the installed example is the same text with its three sample popups active")
    func exampleRules() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try StarterConfiguration(number: "201", name: "Alice Agent", examplesActive: true).write(to: file, force: false)
        let configuration = try load(file)
        #expect(configuration.ruleSet.rules.map(\.id) == ["crm-contact", "new-ticket", "call-log"])
        #expect(configuration.warnings.isEmpty)
    }

    @Test("file mode 600 in a directory tightened to 700, even when the directory existed")
    func permissions() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let parent = directory.appendingPathComponent("callpop").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try StarterConfiguration(number: "201", name: "").write(to: file, force: false)
        #expect(try mode(file) == 0o600)
        #expect(try mode(parent) == 0o700)
    }

    @Test("an existing file is kept unless forced")
    func refusesOverwrite() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try StarterConfiguration(number: "201", name: "A").write(to: file, force: false)
        #expect(throws: SetupError.self) {
            try StarterConfiguration(number: "999", name: "B").write(to: file, force: false)
        }
        #expect(try load(file).ruleSet.user.number == "201")
        try StarterConfiguration(number: "999", name: "B").write(to: file, force: true)
        #expect(try load(file).ruleSet.user.number == "999")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("callpop").path) == ["config.toml"])
    }

    @Test("the detected name is the passwd GECOS field up to its first comma")
    func accountName() throws {
        let getent = Process()
        getent.executableURL = URL(fileURLWithPath: "/usr/bin/getent")
        getent.arguments = ["passwd", String(getuid())]
        let pipe = Pipe()
        getent.standardOutput = pipe
        try getent.run()
        getent.waitUntilExit()
        let line = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let fields = line.split(separator: ":", omittingEmptySubsequences: false)
        try #require(fields.count >= 5)
        let expected = fields[4].split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        #expect(StarterConfiguration.accountName() == expected.trimmingCharacters(in: .whitespaces))
    }
}
