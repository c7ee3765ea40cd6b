import CallPopConfig
import CallPopCore
import CallPopTestSupport
import Foundation
import Testing

/// Secrets never sit in the main file: they come from a private file or the environment.
@Suite("PBX secrets")
struct ConfigSecretTests {
    func pbx(_ lines: String...) -> String {
        userHead + "[pbx]\nsource = \"ami\"\nurl = \"ami://pbx.example.com:5038\"\nusername = \"popup\"\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test("a password in the file is refused with the hint", arguments: ["password", "secret", "token"])
    func passwordInTheFile(_ key: String) {
        let found = diagnostics(pbx("\(key) = \"hunter2\""))
        #expect(found == [
            "test.toml:4:1: no AMI password: set password_file = \"~/.config/callpop/ami.secret\" (mode 600) or the CALLPOP_PBX_PASSWORD environment variable",
            "test.toml:8:\(key.count + 4): unknown key '\(key)' in [pbx]; secrets never sit in the configuration file: use password_file (mode 600) or the CALLPOP_PBX_PASSWORD environment variable",
        ])
        #expect(!found.joined().contains("hunter2"))
    }

    @Test func aPasswordIsRefusedWhateverTheSource() {
        #expect(diagnostics(userHead + "[pbx]\npassword = \"hunter2\"\n") == [
            "test.toml:5:12: unknown key 'password' in [pbx]; secrets never sit in the configuration file: use password_file (mode 600) or the CALLPOP_PBX_PASSWORD environment variable",
        ])
    }

    @Test func sourceSpecificKeysAreChecked() {
        #expect(diagnostics(userHead + "[pbx]\nsource = \"events\"\nurl = \"tcp://x\"\n") == [
            "test.toml:4:1: [pbx] source = \"events\" needs path = \"/path/to/file-or-fifo\"",
            "test.toml:6:7: unknown key 'url' in [pbx]; known keys: password_env, password_file, path, source",
        ])
    }

    @Test func aGroupReadablePasswordFileIsRefused() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("ami.secret", "hunter2\n", mode: 0o644)
        let found = diagnostics(pbx("password_file = \"\(file)\""))
        #expect(found == [
            "test.toml:8:17: password_file '\(file)' is readable by group or others (mode 644): run chmod 600 '\(file)'",
        ])
        #expect(!found.joined().contains("hunter2"))
        let worldOnly = try dir.write("world.secret", "x", mode: 0o604)
        #expect(diagnostics(pbx("password_file = \"\(worldOnly)\"")) == [
            "test.toml:8:17: password_file '\(worldOnly)' is readable by group or others (mode 604): run chmod 600 '\(worldOnly)'",
        ])
    }

    @Test func aPrivatePasswordFileIsRead() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("ami.secret", "hunter2 with spaces\r\n\n", mode: 0o600)
        let c = try load(pbx("password_file = \"\(file)\""), environment: standardEnvironment.merging(["CALLPOP_PBX_PASSWORD": "from-env"]) { $1 })
        #expect(c.pbx.secret == "hunter2 with spaces")
        #expect(c.pbx.values["password_file"] == nil)
        let readOnly = try dir.write("ro.secret", "x", mode: 0o400)
        #expect(try load(pbx("password_file = \"\(readOnly)\"")).pbx.secret == "x")
    }

    @Test func aMissingPasswordFileIsAnError() throws {
        let dir = try TemporaryDirectory()
        #expect(diagnostics(pbx("password_file = \"\(dir.path)/none\"")) == [
            "test.toml:8:17: password_file '\(dir.path)/none' does not exist or cannot be read",
        ])
    }

    @Test func theSecretComesFromTheEnvironment() throws {
        let env = standardEnvironment.merging(["CALLPOP_PBX_PASSWORD": "env-secret", "MY_SECRET": "mine"]) { $1 }
        #expect(try load(pbx(), environment: env).pbx.secret == "env-secret")
        #expect(try load(pbx("password_env = \"MY_SECRET\""), environment: env).pbx.secret == "mine")
        // No password at all is a load-time error naming where to put one.
        #expect(diagnostics(pbx("password_env = \"UNSET_SECRET\""), environment: env) == [
            "test.toml:4:1: no AMI password: set password_file = \"~/.config/callpop/ami.secret\" (mode 600) or the UNSET_SECRET environment variable",
        ])
        #expect(diagnostics(pbx()) == [
            "test.toml:4:1: no AMI password: set password_file = \"~/.config/callpop/ami.secret\" (mode 600) or the CALLPOP_PBX_PASSWORD environment variable",
        ])
        // Sources without a login read no secret.
        #expect(try load(userHead + "[pbx]\nsource = \"events\"\npath = \"/tmp/x\"\n", environment: env).pbx.secret == nil)
    }
}

@Suite("Documented configuration")
struct DocumentedConfigurationTests {
    /// The ```toml blocks of a file under docs/.
    static func tomlBlocks(_ doc: String) throws -> [String] {
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(doc), encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```toml") {
                current = []
            } else if let lines = current, line.hasPrefix("```") {
                blocks.append(lines.joined(separator: "\n") + "\n")
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func passwordFileMayStartWithTheHomeDirectory() throws {
        let home = try TemporaryDirectory()
        try home.write(".config/callpop/ami.secret", "hunter2\n", mode: 0o600)
        let text = userHead + "[pbx]\nsource = \"ami\"\nurl = \"ami://pbx\"\nusername = \"popup\"\npassword_file = \"~/.config/callpop/ami.secret\"\n"
        #expect(try load(text, environment: ["HOME": home.path, "PATH": "/usr/bin"]).pbx.secret == "hunter2")
    }

    @Test func theReferenceExampleLoads() throws {
        let blocks = try Self.tomlBlocks("docs/configuration.md")
        try #require(!blocks.isEmpty)
        let home = try TemporaryDirectory()
        try home.write(".config/callpop/ami.secret", "hunter2\n", mode: 0o600)
        for block in blocks {
            let c = try load(block, environment: ["HOME": home.path, "PATH": "/usr/bin:/bin"])
            #expect(!c.ruleSet.rules.isEmpty)
            if c.pbx.source == .ami { #expect(c.pbx.secret == "hunter2") }
        }
    }
}
