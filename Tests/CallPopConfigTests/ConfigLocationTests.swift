import CallPopConfig
import CallPopCore
import Testing

/// Where configuration files are found (XDG Base Directory Specification), and how layers combine.
@Suite("Configuration files")
struct ConfigLocationTests {
    @Test func userFileFollowsXDGConfigHome() {
        #expect(ConfigurationLocator(environment: ["XDG_CONFIG_HOME": "/x/conf", "HOME": "/home/u"]).userFile == "/x/conf/callpop/config.toml")
        #expect(ConfigurationLocator(environment: ["HOME": "/home/u"]).userFile == "/home/u/.config/callpop/config.toml")
        // A relative XDG_CONFIG_HOME is invalid per the specification and ignored.
        #expect(ConfigurationLocator(environment: ["XDG_CONFIG_HOME": "conf", "HOME": "/home/u"]).userFile == "/home/u/.config/callpop/config.toml")
    }

    @Test func systemFilesFollowXDGConfigDirs() {
        #expect(ConfigurationLocator(environment: [:]).systemFiles == ["/etc/xdg/callpop/config.toml"])
        #expect(ConfigurationLocator(environment: ["XDG_CONFIG_DIRS": ""]).systemFiles == ["/etc/xdg/callpop/config.toml"])
        #expect(ConfigurationLocator(environment: ["XDG_CONFIG_DIRS": "/a:relative:/b/c"]).systemFiles
            == ["/a/callpop/config.toml", "/b/c/callpop/config.toml"])
    }

    @Test func userFileOverSystemDefaults() throws {
        let dir = try TemporaryDirectory()
        let preferred = try dir.write("sys1/callpop/config.toml", """
            [launch]
            max_per_minute = 4

            [[popup]]
            name = "System rule"
            trigger = "on-click"
            url = "https://system.example/"
            """)
        let fallback = try dir.write("sys2/callpop/config.toml", """
            [user]
            number = "999"
            name = "Default Name"
            country_code = "44"

            [launch]
            max_per_minute = 3
            portal = "never"
            """)
        let user = try dir.write("home/callpop/config.toml", """
            [user]
            number = "201"

            [[popup]]
            name = "Mine"
            trigger = "on-click"
            url = "https://mine.example/"
            """)
        let env = standardEnvironment.merging([
            "XDG_CONFIG_HOME": dir.path + "/home", "XDG_CONFIG_DIRS": "\(dir.path)/sys1:\(dir.path)/sys2:\(dir.path)/none",
        ]) { $1 }
        let c = try ConfigurationLoader(environment: env).load()
        #expect(c.files == [fallback, preferred, user])
        #expect(c.ruleSet.user == UserIdentity(number: "201", name: "Default Name", numberPlan: NumberPlan(countryCode: "44")))
        #expect(c.ruleSet.launchesPerMinute == 4)
        #expect(c.portal == .never)
        // The user's popup list replaces the system one as a whole.
        #expect(c.ruleSet.rules.map(\.name) == ["Mine"])
    }

    @Test func systemDefaultsAloneAreEnough() throws {
        let dir = try TemporaryDirectory()
        let system = try dir.write("sys/callpop/config.toml", "[user]\nnumber = \"201\"\n")
        let env = ["XDG_CONFIG_HOME": dir.path + "/home", "XDG_CONFIG_DIRS": dir.path + "/sys", "PATH": "/usr/bin"]
        #expect(try ConfigurationLoader(environment: env).load().files == [system])
    }

    @Test func errorsNameTheFileTheyAreIn() throws {
        let dir = try TemporaryDirectory()
        let system = try dir.write("sys/callpop/config.toml", "[user]\nnumber = \"201\"\n\n[launch]\nportal = \"x\"\n")
        let user = try dir.write("home/callpop/config.toml", "[user]\nnmae = \"x\"\n")
        let env = ["XDG_CONFIG_HOME": dir.path + "/home", "XDG_CONFIG_DIRS": dir.path + "/sys", "PATH": "/usr/bin"]
        do {
            _ = try ConfigurationLoader(environment: env).load()
            Issue.record("loaded")
        } catch {
            // System defaults are read first, so their problems come first.
            #expect(error.diagnostics.map(\.description) == [
                "\(system):5:10: portal must be auto, always or never, not 'x'",
                "\(user):2:8: unknown key 'nmae' in [user]; did you mean 'name'?",
            ])
        }
    }

    @Test func noConfigurationAtAll() throws {
        let dir = try TemporaryDirectory()
        let env = ["XDG_CONFIG_HOME": dir.path + "/home", "XDG_CONFIG_DIRS": dir.path + "/sys"]
        do {
            _ = try ConfigurationLoader(environment: env).load()
            Issue.record("loaded")
        } catch {
            #expect(error.description
                == "\(dir.path)/home/callpop/config.toml: no configuration: create it (`callpop init` writes a commented starter) or pass --config FILE")
        }
    }

    @Test func anExplicitFileIsReadAlone() throws {
        let dir = try TemporaryDirectory()
        try dir.write("home/callpop/config.toml", "[user]\nnumber = \"999\"\n")
        try dir.write("sys/callpop/config.toml", "[launch]\nmax_per_minute = 2\n")
        let explicit = try dir.write("explicit.toml", "[user]\nnumber = \"201\"\n")
        let env = ["XDG_CONFIG_HOME": dir.path + "/home", "XDG_CONFIG_DIRS": dir.path + "/sys", "PATH": "/usr/bin"]
        let c = try ConfigurationLoader(environment: env).load(explicitFile: explicit)
        #expect(c.files == [explicit])
        #expect(c.ruleSet.user.number == "201")
        #expect(c.ruleSet.launchesPerMinute == 10)
    }

    @Test func anExplicitFileThatIsMissing() throws {
        let dir = try TemporaryDirectory()
        do {
            _ = try ConfigurationLoader(environment: [:]).load(explicitFile: dir.path + "/missing.toml")
            Issue.record("loaded")
        } catch {
            #expect(error.description == "\(dir.path)/missing.toml: cannot open: No such file or directory")
        }
    }

    @Test func errorsInAnExplicitFileCarryItsPath() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("bad.toml", "[user]\nnumber = \"201\"\n\n[[popup]]\nname = \"x\"\ndirection = \"outgoing\"\ntrigger = \"ringing\"\nurl = \"https://x.example/\"\n")
        do {
            _ = try ConfigurationLoader(environment: standardEnvironment).load(explicitFile: file)
            Issue.record("loaded")
        } catch {
            #expect(error.description == "\(file):7:11: trigger 'ringing' cannot be used with direction 'outgoing': ringing is for incoming calls; for outgoing calls use call-generation")
        }
    }

    @Test func programsAreLookedUpOnPATH() throws {
        let dir = try TemporaryDirectory()
        try dir.write("bin/crm-tool", "#!/bin/sh\n", mode: 0o755)
        try dir.write("bin/not-executable", "#!/bin/sh\n", mode: 0o644)
        let text = userHead + """
            [launch]
            opener = ["xdg-open"]

            [[popup]]
            name = "Found"
            trigger = "on-click"
            app = "crm-tool {CALLERNUM}"

            [[popup]]
            name = "Not executable"
            trigger = "on-click"
            app = ["not-executable"]

            [[popup]]
            name = "Absolute"
            trigger = "on-click"
            app = ["\(dir.path)/bin/crm-tool", "{CALLERNUM}"]

            [[popup]]
            name = "Absolute missing"
            trigger = "on-click"
            app = ["\(dir.path)/bin/nothing"]
            """
        let c = try load(text, environment: ["PATH": dir.path + "/bin"])
        #expect(c.warnings.map(\.description) == [
            "test.toml:5:10: warning: URL opener 'xdg-open' is not on PATH (install xdg-utils)",
            "test.toml:10:17: warning: argument 1 of popup 'Found' starts with a variable: a call whose value starts with '-' is skipped (option-injection), because the program would read it as an option; put -- before it (app = \"program -- {CALLERNAME}\"), fixed text before the variable (--name={CALLERNAME}), or read the CALLPOP_* environment variables",
            "test.toml:15:7: warning: program 'not-executable' of popup 'Not executable' is not on PATH",
            "test.toml:20:7: warning: argument 1 of popup 'Absolute' starts with a variable: a call whose value starts with '-' is skipped (option-injection), because the program would read it as an option; put -- before it (app = \"program -- {CALLERNAME}\"), fixed text before the variable (--name={CALLERNAME}), or read the CALLPOP_* environment variables",
            "test.toml:25:7: warning: program '\(dir.path)/bin/nothing' of popup 'Absolute missing' is not on PATH",
        ])
        // With xdg-open found: the two missing programs and the two arguments starting with a variable.
        #expect(try load(text, environment: ["PATH": "/usr/bin:" + dir.path + "/bin"]).warnings.count == 4)
    }

    @Test("TOML syntax errors carry their position", arguments: [
        ("[user\nnumber = \"201\"\n", "1:6: TOML syntax: Error while parsing table header: expected ']', saw '\\n'"),
        ("[user]\nnumber = \n", "2:10: TOML syntax: Error while parsing key-value pair: expected value, saw '\\n'"),
        ("[user]\nnumber = \"201\nname = \"x\"\n",
         "2:10: unclosed string: the \" here has no closing \" on this line (a string ends on the line it starts; use \"\"\" … \"\"\" for text over several lines)"),
        ("[user]\nnumber = \"201\"\nnumber = \"202\"\n",
         "3:10: TOML syntax: Error while parsing key-value pair: cannot redefine existing string 'number'"),
        ("[user]\nnumber = \"201\"\n\n[user]\nname = \"x\"\n",
         "4:1: TOML syntax: Error while parsing table header: cannot redefine existing table 'user'"),
    ])
    func tomlSyntax(_ text: String, _ expected: String) {
        #expect(diagnostics(text) == ["test.toml:" + expected])
    }

    /// toml++ 3.4 asserts (aborting a debug build, undefined behaviour in release) on these
    /// table headers; the loader must report them like any other syntax error.
    @Test("table names the TOML library cannot be handed", arguments: [
        ("[,[popup]]\n", "1:2"), ("[user]\nnumber = \"201\"\n\n[[[popup]]]\n", "4:3"), ("[.a]\n", "1:2"), ("[\u{E9}]\n", "1:2"),
        ("[#x]\n", "1:2"), ("[ \t,]\n", "1:4"), ("[[ [x]]\n", "1:4"), ("a = 1\n[,", "2:2"), ("[\na]\n", "1:2"), ("[\r\n", "1:2"),
        ("[[=\n", "1:3"), ("[[[]]\n", "1:3"),
    ])
    func headersTheLibraryCannotTake(_ text: String, _ position: String) {
        #expect(diagnostics(text) == [
            "test.toml:\(position): TOML syntax: Error while parsing table header: a table name starts with a letter, digit, '_', '-' or a quote",
        ])
    }

    @Test("a closing brace where an array element is due", arguments: [
        ("a = [}]\n", "1:6"), ("a = [1, }]\n", "1:9"), ("a = [\"x\",}\"y\"]\n", "1:10"), ("a = [\n  # c\n  }\n]\n", "3:3"),
        ("a = [[1], [}]]\n", "1:12"), ("a = {b = [}]}\n", "1:11"), ("[user]\nnumber = \"201\"\nx = [\n\"}\",\n}]\n", "5:1"),
    ])
    func misplacedBrace(_ text: String, _ position: String) {
        #expect(diagnostics(text) == ["test.toml:\(position): TOML syntax: Error while parsing array: expected value or closing ']', saw '}'"])
    }

    @Test func bracesTheLibraryReportsItself() {
        #expect(diagnostics("a = [1 }]\n") == ["test.toml:1:8: TOML syntax: Error while parsing array: expected comma or closing ']', saw '}'"])
        #expect(diagnostics("a = {b = 1,}\n")
            == ["test.toml:1:12: TOML syntax: Error while parsing inline table: expected key-value pair, saw closing '}' (dangling comma)"])
        #expect(diagnostics(userHead + "[[popup]]\nname = \"{x}\"\ntrigger = \"on-click\"\napp = [\"/bin/echo\", \"}\", '}', \"{\"]\n").isEmpty)
    }

    @Test func bracketsInsideValuesAreNotHeaders() throws {
        // Lines of a multi-line array are not headers, and brackets in strings are text.
        let array = userHead + "[colleagues]\nnumbers = [\n  \"[,x]\",   # [,y]\n  '}',\n]\nsame_length_as_user = false\n"
        #expect(try load(array).ruleSet.colleagues.patterns.map(\.source) == ["[,x]", "}"])
        let multiLine = userHead + "[[popup]]\nname = \"X\"\ntrigger = \"on-click\"\napp = \"\"\"\n/bin/echo\n[,\u{E9}\n\"\"\"\n"
        #expect(diagnostics(multiLine).isEmpty)
        // Headers the library reports itself keep its words.
        #expect(diagnostics("[]\n") == ["test.toml:1:2: TOML syntax: Error while parsing table header: tables with blank bare keys are explicitly prohibited"])
        #expect(diagnostics("[") == ["test.toml:1:2: TOML syntax: Error while parsing table header: encountered end-of-file"])
    }
}
