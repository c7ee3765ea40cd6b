import Foundation
import Testing

/// The commands other than `run`, through the built binary.
@Suite("callpop check, simulate, demo")
struct CommandTests {
    @Test("check prints FILE:LINE:COLUMN for each error and exits 1")
    func checkErrors() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("bad.toml", """
            [user]
            number = "201"
            colour = "blue"

            [[popup]]
            name = "Wrong"
            direction = "outgoing"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUMBER}"
            """)
        let result = try await h.run(["check", "--config", config.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(config.path):3:10: unknown key 'colour' in [user]"))
        #expect(result.stderr.contains("\(config.path):8:11: trigger 'ringing' cannot be used with direction 'outgoing'"))
        #expect(result.stdout.isEmpty)
    }

    @Test("check lists the rules of a valid configuration")
    func checkTable() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", LaunchIntegrationTests.config)
        let result = try await h.run(["check", "--config", config.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let row = result.stdout.split(separator: "\n").first { $0.hasPrefix("solve360 ") }
        #expect(row?.split(separator: " ").prefix(5) == ["solve360", "Solve360", "incoming", "answer", "yes"])
        #expect(result.stdout.contains("configuration OK"))
    }

    @Test("simulate shows decisions without launching, and launches with --launch")
    func simulate() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let config = try h.write("config.toml", LaunchIntegrationTests.config)
        let dry = try await h.run(["simulate", "--config", config.path, "--direction", "incoming", "--state", "answered",
                             "--number", "+442071234567", "--json"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains(#""rule":"Solve360","rule_id":"solve360","trigger":"answer","direction":"incoming","decision":"launch","action":"url","url":"https://secure.solve360.com/contact/phonenumber/02071234567","argv":["xdg-open","https://secure.solve360.com/contact/phonenumber/02071234567"]"#))
        #expect(try h.invocations("browser").isEmpty)

        let colleague = try await h.run(["simulate", "--config", config.path, "--direction", "incoming", "--number", "202",
                                   "--name", "Bob"])
        #expect(colleague.stdout.contains("skip ringing \"Ticket\" for incoming call sim-1 \"Bob\" <202>: colleague"))

        let real = try await h.run(["simulate", "--config", config.path, "--direction", "incoming", "--state", "answered",
                              "--number", "+442071234567", "--launch"])
        #expect(real.status == 0)
        #expect(try h.invocations("browser").map(\.argv) == [["https://secure.solve360.com/contact/phonenumber/02071234567"]])
    }

    @Test("demo runs the sample calls in dry-run")
    func demo() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let result = try await h.run(["demo"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("[dry-run] launch ringing \"CRM contact\""))
        #expect(result.stdout.contains(": colleague"))
        #expect(try h.invocations("browser").isEmpty)
    }

    @Test("run without a configuration explains where it goes")
    func noConfiguration() async throws {
        let h = try Harness()
        defer { h.cleanUp() }
        let result = try await h.run(["run", "--events", "-"], input: "")
        #expect(result.status == 78, "EX_CONFIG: the systemd unit does not restart for this")
        #expect(result.stderr.contains("/home/.config/callpop/config.toml: no configuration"))
        #expect(result.stderr.contains("callpop init"))
    }
}
