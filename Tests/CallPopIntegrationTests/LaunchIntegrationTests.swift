import CallPopTestSupport
import Foundation
import Testing

/// The built `callpop` binary end to end: NDJSON in, the real `xdg-open` and real
/// processes out, recorded by the harness's recorder programs.
@Suite("callpop run: NDJSON in, real launches out", .serialized)
struct LaunchIntegrationTests {
    static let config = """
        [user]
        number = "201"
        name = "John Doe"
        country_code = "44"

        [[popup]]
        name = "Ticket"
        direction = "incoming"
        trigger = "ringing"
        url = "https://desk.example.com/tickets/new?To={CALLERNAME}&Subject=New%20Ticket%20from%20{USERNAME}&From={CALLERNUM}"

        [[popup]]
        name = "Solve360"
        direction = "incoming"
        trigger = "answer"
        url = "https://secure.solve360.com/contact/phonenumber/0{CALLERNUM:3}"

        [[popup]]
        name = "Legacy app"
        direction = "incoming"
        trigger = "ringing"
        app = '"app" http://host/page?Subaction=StoreNew^&To={CALLERNAME}^&From={CALLERNUM} --name {CALLERNAME} <<clid>>'
        """

    static func line(_ call: String, _ state: String, number: String, name: String, direction: String = "incoming") -> String {
        let escapedName = name.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            case _ where scalar.value < 0x20: return String(format: "\\u%04x", scalar.value)
            default: return String(scalar)
            }
        }.joined()
        return #"{"call":"\#(call)","state":"\#(state)","direction":"\#(direction)","number":"\#(number)","name":"\#(escapedName)","called":"5550100"}"#
    }

    @Test("worked examples open the exact URL and argv, once per call")
    func workedExamples() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", Self.config)
        let events = [
            Self.line("c1", "ringing", number: "+442071234567", name: "John Doe"),
            Self.line("c1", "ringing", number: "+442071234567", name: "John Doe"),  // forked ringing: no second popup
            Self.line("c1", "answered", number: "+442071234567", name: "John Doe"),
            Self.line("c1", "ended", number: "+442071234567", name: "John Doe"),
        ].joined(separator: "\n") + "\n"
        let result = try await h.run(["run", "--config", config.path, "--events", "-"], input: events)
        #expect(result.status == 0, "stderr: \(result.stderr)")

        // Each xdg-open runs on its own, so the recorder may see them in either order.
        let browser = try h.invocations("browser")
        #expect(browser.map(\.argv).sorted { $0[0] < $1[0] } == [
            ["https://desk.example.com/tickets/new?To=John%20Doe&Subject=New%20Ticket%20from%20John%20Doe&From=%2B442071234567"],
            ["https://secure.solve360.com/contact/phonenumber/02071234567"],
        ])
        let app = try h.invocations("app")
        #expect(app.count == 1)
        #expect(app.first?.argv == [
            "http://host/page?Subaction=StoreNew&To=John%20Doe&From=%2B442071234567", "--name", "John Doe", "+442071234567",
        ])
        #expect(app.first?.callerNameEnv == "John Doe")
        #expect(app.first?.callerNumberEnv == "+442071234567")
    }

    @Test("hostile caller ID never reaches a shell, stays one argument, and yields well-formed URLs")
    func hostileCallerID() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let canary = h.directory.appendingPathComponent("pwned").path
        let hostile = [
            "; touch \(canary)", "$(touch \(canary))", "`touch \(canary)`", "\"' && touch \(canary) '\"",
            "a&b=c#frag?x=y", "%00%0a", "line1\nline2\r\n", "nul\u{0}byte", String(repeating: "A", count: 10_000),
            "javascript:alert(1)", "file:///etc/passwd", "Zoë Ångström", "\u{202E}evil\u{202C}", "-rf /",
        ]
        var lines: [String] = []
        for (i, name) in hostile.enumerated() {
            lines.append(Self.line("h\(i)", "ringing", number: "+44 20 7123 4567", name: name))
        }
        let config = try h.write("config.toml", Self.config)
        let result = try await h.run(["run", "--config", config.path, "--events", "-"], input: lines.joined(separator: "\n") + "\n",
                               extraEnvironment: [:])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: canary), "a shell ran caller ID")

        // The default rate limit (10 per minute) applies across calls: count what it let through.
        let browser = try h.invocations("browser")
        let app = try h.invocations("app")
        #expect(browser.count + app.count == 10)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("rate-limit"))
        for invocation in browser {
            #expect(invocation.argv.count == 1)
            let url = invocation.argv[0]
            #expect(url.hasPrefix("https://desk.example.com/tickets/new?To="))
            #expect(!url.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }))
            // The caller's name cannot add parameters or a fragment: exactly the template's three.
            let query = url.split(separator: "?", maxSplits: 1).last ?? ""
            #expect(query.split(separator: "&").map { $0.split(separator: "=").first ?? "" } == ["To", "Subject", "From"])
            #expect(!url.contains("#"))
        }
        for invocation in app {
            #expect(invocation.argv.count == 4, "a value became more than one argument: \(invocation.argv)")
            #expect(!invocation.argv[2].contains(where: { $0.asciiValue.map { $0 < 0x20 } == true }))
        }
    }

    @Test("a malformed line is reported with its number and skipped; the agent goes on")
    func malformedLines() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", Self.config)
        let input = [
            Self.line("m1", "ringing", number: "+441111111111", name: "First"),
            "{not json",
            #"{"call":"m2","state":"flying","direction":"incoming"}"#,
            "\u{1}\u{2}garbage\u{FF}",
            Self.line("m3", "ringing", number: "+442222222222", name: "Last"),
        ].joined(separator: "\n") + "\n"
        let events = try h.write("events.ndjson", input)
        let result = try await h.run(["run", "--config", config.path, "--events", events.path, "--dry-run", "--json"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("events.ndjson:2: skipped: not a JSON object"))
        #expect(result.stderr.contains("events.ndjson:3: skipped: \"state\" must be ringing, answered or ended"))
        #expect(result.stderr.contains("events.ndjson:4: skipped"))
        let launches = result.stdout.split(separator: "\n").filter { $0.contains(#""decision":"launch""#) }
        #expect(launches.count == 4)  // Ticket + Legacy app for m1 and m3
        #expect(try h.invocations("browser").isEmpty, "dry-run launched something")
        #expect(try h.invocations("app").isEmpty, "dry-run launched something")
    }

    @Test("a FIFO is read as events arrive")
    func fifoInput() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", Self.config)
        let fifo = h.directory.appendingPathComponent("events.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(Data((Self.line("f1", "ringing", number: "+443333333333", name: "Fifo") + "\n").utf8))
                try? handle.close()
            }
        }
        writer.start()
        let result = try await h.run(["run", "--config", config.path, "--events", fifo, "--dry-run", "--json"])
        #expect(result.status == 0)
        #expect(result.stdout.contains(#""call":"f1""#))
    }

    @Test("a missing program is logged with the rule name; other popups still open")
    func missingProgram() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", """
            [user]
            number = "201"
            [[popup]]
            name = "Broken app"
            direction = "incoming"
            trigger = "ringing"
            app = "no-such-program-callpop {CALLERNUM}"
            [[popup]]
            name = "Page"
            direction = "incoming"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUM}"
            """)
        let result = try await h.run(["run", "--config", config.path, "--events", "-"],
                               input: Self.line("x1", "ringing", number: "+15551234567", name: "") + "\n")
        #expect(result.status == 0)
        #expect(result.stderr.contains("popup \"Broken app\" for call x1: cannot start 'no-such-program-callpop': not found on PATH"))
        #expect(try h.invocations("browser").map(\.argv) == [["https://crm.example.com/?n=%2B15551234567"]])
    }

    @Test("a failing opener is reported, not swallowed")
    func failingOpener() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", """
            [user]
            number = "201"
            [launch]
            opener = ["false"]
            [[popup]]
            name = "Page"
            direction = "incoming"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUM}"
            """)
        let result = try await h.run(["run", "--config", config.path, "--events", "-"],
                               input: Self.line("x2", "ringing", number: "+15551234567", name: "") + "\n")
        #expect(result.status == 0)
        #expect(result.stderr.contains("popup \"Page\" for call x2: 'false' exited with status 1"))
    }

    @Test("a program that keeps running does not hold the agent at the end of input")
    func longRunningChild() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", """
            [user]
            number = "201"
            [[popup]]
            name = "Long app"
            trigger = "ringing"
            app = ["sleep", "30"]
            """)
        // Output to a file: the child shares the agent's stderr, so a pipe would stay open as long as it runs.
        let events = try h.write("events.ndjson", Self.line("l1", "ringing", number: "+15551234567", name: "") + "\n")
        let log = h.directory.appendingPathComponent("agent.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let agent = Process()
        agent.executableURL = Harness.binary
        agent.arguments = ["run", "--config", config.path, "--events", events.path]
        agent.environment = h.environment
        agent.standardOutput = try FileHandle(forWritingTo: log)
        agent.standardError = try FileHandle(forWritingTo: log)
        let started = ContinuousClock.now
        try agent.run()
        try await offPool { agent.waitUntilExit() }
        #expect(agent.terminationStatus == 0)
        #expect(ContinuousClock.now - started < .seconds(20), "the agent waited for its child")
    }
}
