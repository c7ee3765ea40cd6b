import CallPopConfig
import CallPopTestSupport
import Foundation
import Testing

/// Issue #10: what the configuration loader must refuse, and where it says the problem is.
@Suite("Configuration hardening")
struct ConfigHardeningTests {
    static let didYouMeanUser = "did you mean [user]?"

    // MARK: Finding 5: bytes TOML forbids

    @Test func aNULByteIsAnErrorAtItsPosition() {
        // The TOML library reads a C string: everything after the NUL was silently dropped.
        let text = userHead + "name = \"x\u{0}\"\n\n[[popup]]\nname = \"CRM\"\ntrigger = \"ringing\"\nurl = \"https://crm.example/\"\n"
        #expect(diagnostics(text) == ["test.toml:4:10: control character U+0000 is not allowed in TOML; remove it"])
    }

    @Test func aNULByteBetweenLinesIsAnError() {
        // Before: the library stopped reading at the NUL and `check` said OK with 0 rules.
        let text = userHead + "\u{0}\n[[popup]]\nname = \"CRM\"\ntrigger = \"ringing\"\nurl = \"https://crm.example/\"\n"
        #expect(diagnostics(text) == ["test.toml:4:1: control character U+0000 is not allowed in TOML; remove it"])
    }

    @Test("control characters other than tab are errors at their position", arguments: [
        ("\u{1}", "U+0001"), ("\u{8}", "U+0008"), ("\u{B}", "U+000B"), ("\u{C}", "U+000C"), ("\u{1B}", "U+001B"),
        ("\u{7F}", "U+007F"),
    ])
    func controlCharacters(_ character: String, _ name: String) {
        let text = userHead + "# a comment \(character) here\n"
        #expect(diagnostics(text) == ["test.toml:4:13: control character \(name) is not allowed in TOML; remove it"])
    }

    @Test func aLoneCarriageReturnIsAnError() {
        #expect(diagnostics(userHead + "name = \"a\"\rnumber = \"1\"\n") == [
            "test.toml:4:11: a carriage return without a line feed is not allowed in TOML",
        ])
    }

    @Test func tabsAndCRLFAreFine() throws {
        let c = try load("[user]\r\n\tnumber = \"201\"\t# tab\r\n")
        #expect(c.ruleSet.user.number == "201")
    }

    @Test func invalidUTF8InAFileIsAnErrorAtItsPosition() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/config.toml"
        try Data(Array(userHead.utf8) + Array("name = \"Zo".utf8) + [0xEB] + Array("\"\n".utf8)).write(to: URL(fileURLWithPath: path))
        let found = diagnosticsOfFile(path)
        #expect(found == ["\(path):4:11: byte 0xEB is not valid UTF-8; a TOML file must be UTF-8"])
    }

    // MARK: Finding 4: only regular files, never a wait

    @Test func aConfigurationThatIsNotARegularFileIsAnErrorAtOnce() async throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.path + "/config.toml"
        #expect(mkfifo(fifo, 0o644) == 0)
        let directory = dir.path + "/folder.toml"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let cases = [
            (fifo, "this is a FIFO, not a regular file"), ("/dev/zero", "this is a character device, not a regular file"),
            (directory, "this is a directory, not a regular file"),
        ]
        for (path, message) in cases {
            let found = try await offPool { diagnosticsOfFile(path) }
            #expect(found == ["\(path): \(message)"])
        }
    }

    @Test func aFIFOAsPasswordFileIsAnErrorAtOnce() async throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.path + "/ami.secret"
        #expect(mkfifo(fifo, 0o600) == 0)
        let config = try dir.write("config.toml", userHead + "[pbx]\nsource = \"ami\"\nurl = \"ami://pbx\"\nusername = \"u\"\npassword_file = \"\(fifo)\"\n")
        let found = try await offPool { diagnosticsOfFile(config) }
        #expect(found == ["\(config):8:17: password_file '\(fifo)': this is a FIFO, not a regular file"])
    }

    @Test func anOversizedFileIsRefusedUnread() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/config.toml"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 64 << 20) == 0)  // sparse: 64 MiB of nothing
        #expect(diagnosticsOfFile(path) == ["\(path): file is larger than 1048576 bytes"])
    }

    // MARK: Finding 6: real positions for dotted names

    @Test func aDottedTableNameIsLocated() {
        #expect(diagnostics(userHead + "[usr.x]\nfoo = 1\n") == ["test.toml:4:1: unknown table or key 'usr'; \(Self.didYouMeanUser)"])
    }

    @Test func aDottedTopLevelKeyIsLocated() {
        #expect(diagnostics("usr.x = 1\n" + userHead) == ["test.toml:1:1: unknown table or key 'usr'; \(Self.didYouMeanUser)"])
    }

    @Test func aDottedKeyInATableIsLocatedOnItsOwnLine() {
        let found = diagnostics(userHead + "[notifications]\nenabled = true\nfoo.bar = 1\n")
        #expect(found == ["test.toml:6:1: unknown key 'foo' in [notifications]; known keys: enabled, icon, phases, problem_delay"])
    }

    @Test func aDottedArrayTableNameIsLocated() {
        #expect(diagnostics(userHead + "[[usr.rules]]\nfoo = 1\n") == ["test.toml:4:1: unknown table or key 'usr'; \(Self.didYouMeanUser)"])
    }

    // MARK: Finding 7: passwords in any URI

    @Test("a password in any SIP URI is refused without echoing it", arguments: [
        ("extensions = [\"sip:202:hunter2@pbx.example.com\"]", "pbx.extensions", 14),
        ("outbound_proxy = \"sip:proxy:hunter2@pbx.example.com\"", "pbx.outbound_proxy", 18),
        ("outbound_proxy = \"proxy:hunter2@pbx.example.com\"", "pbx.outbound_proxy", 18),
    ])
    func sipPasswords(_ line: String, _ key: String, _ column: Int) {
        let text = userHead + "[pbx]\nsource = \"sip\"\nuri = \"sip:201@pbx.example.com\"\n" + line + "\n"
        let found = diagnostics(text, environment: standardEnvironment.merging(["CALLPOP_PBX_PASSWORD": "x"]) { $1 })
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix("test.toml:7:\(column): ") == true, "\(found)")
        #expect(found.first?.contains("must not carry a password") == true, "\(found)")
        #expect(!found.joined().contains("hunter2"))
    }

    @Test func aSIPUserWithoutAPasswordIsFine() throws {
        let text = userHead + "[pbx]\nsource = \"sip\"\nuri = \"sip:201@pbx.example.com\"\nextensions = [\"202\", \"sip:203@pbx.example.com\"]\n"
        let c = try load(text, environment: standardEnvironment.merging(["CALLPOP_PBX_PASSWORD": "x"]) { $1 })
        guard case .sip(let sip) = c.connection else { Issue.record("not a SIP connection"); return }
        #expect(sip.watchedURIs.map(\.raw) == ["sip:201@pbx.example.com", "sip:202@pbx.example.com", "sip:203@pbx.example.com"])
    }
}

/// Every diagnostic loading the file at `path` produces, as printed; empty when it loads.
func diagnosticsOfFile(_ path: String, environment: [String: String] = standardEnvironment) -> [String] {
    do {
        _ = try ConfigurationLoader(environment: environment).load(explicitFile: path)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}
