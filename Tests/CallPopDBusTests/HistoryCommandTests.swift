import CallPopTestSupport
import Foundation
import Testing

/// `callpop history`, `callpop open RULE --call …` for calls that are over, and `callpop
/// status`, against the built agent on a private bus with a FIFO as its configured source.
@Suite("callpop history, open --call, status", .serialized, .enabled(if: TestEnvironment.canRunBusTests, "needs dbus-daemon"))
struct HistoryCommandTests {
    @Test func pastCallsAreListedAndCanBeOpenedAfterTheyEndedAndAfterARestart() async throws {
        try await withTestBus { bus in
            _ = try await FakeNotificationServer.start(on: bus)
            let scratch = try AgentHealthTests.Scratch()
            defer { scratch.cleanUp() }
            let fifo = scratch.directory.appendingPathComponent("events.fifo")
            #expect(mkfifo(fifo.path, 0o600) == 0)
            let log = scratch.directory.appendingPathComponent("browser.log")
            let browser = try scratch.write("browser", "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '\(log.path)'\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: browser.path)
            let config = try scratch.write("config.toml", NotificationServerTests.config.replacingOccurrences(of: "FIFO", with: fifo.path))
            let env = scratch.environment(bus: bus, extra: ["BROWSER": browser.path])
            @Sendable func opened() -> [String] { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
            func callpop(_ arguments: [String]) async throws -> (Int32, String, String) {
                try await AgentDesktopTests.run(arguments, environment: env)
            }

            var agent = try AgentProcess(["run", "--config", config.path], environment: env, log: scratch.directory.appendingPathComponent("agent.log"))
            defer { agent.kill() }
            try await AgentHealthTests().waitForAgent(env)
            let events = try await offPool { try FileHandle(forWritingTo: fifo) }
            for line in [
                #"{"call":"c1","state":"ringing","direction":"incoming","number":"+442071234567","name":"John Doe"}"#,
                #"{"call":"c1","state":"answered","direction":"incoming"}"#,
                #"{"call":"c1","state":"ended","direction":"incoming"}"#,
                #"{"call":"c2","state":"ringing","direction":"incoming","number":"+443001112222","name":"Jane Roe"}"#,
                #"{"call":"c2","state":"ended","direction":"incoming"}"#,
            ] { events.write(Data((line + "\n").utf8)) }
            try events.close()
            try await within(.seconds(10), "both automatic popups") { while opened().count < 2 { try await Task.sleep(for: .milliseconds(20)) } }

            // Status, for people and for scripts.
            let (statusCode, status, _) = try await callpop(["status"])
            #expect(statusCode == 0)
            #expect(status.hasPrefix("callpop 0.1.0 is running since "), "\(status)")
            #expect(status.contains("PBX: events:\(fifo.path) — connected"), "\(status)")
            #expect(status.contains("last call event: "), "\(status)")
            #expect(status.contains("rules: crm, new-ticket, open-contact"))
            let (_, json, _) = try await callpop(["status", "--json"])
            #expect(json.hasPrefix("{\"version\":\"0.1.0\""), "\(json)")
            #expect(json.contains("\"last_event\":\""))

            // The call is over: open the on-click rule for the last missed call.
            let (openCode, _, openErr) = try await callpop(["open", "new-ticket", "--call", "last-missed"])
            #expect(openCode == 0, "\(openErr)")
            try await within(.seconds(10), "the clicked page") { while opened().count < 3 { try await Task.sleep(for: .milliseconds(20)) } }
            #expect(opened().last == "https://desk.example.com/new?n=%2B443001112222")
            let (noCallCode, _, noCallErr) = try await callpop(["open", "new-ticket", "--call", "c9"])
            #expect(noCallCode == 1)
            #expect(noCallErr.contains("no call 'c9' in the call history"), "\(noCallErr)")
            let (typoCode, _, typoErr) = try await callpop(["open", "new-tiket", "--call", "last"])
            #expect(typoCode == 1)
            #expect(typoErr.contains("no popup rule 'new-tiket'; did you mean 'new-ticket'?"), "\(typoErr)")

            // The history: a table, missed only, JSON.
            let (historyCode, table, historyErr) = try await callpop(["history"])
            #expect(historyCode == 0, "\(historyErr)")
            let rows = table.split(separator: "\n").map(String.init)
            #expect(rows.count == 3, "\(table)")
            #expect(rows[0].hasPrefix("TIME") && rows[0].contains("RESULT") && rows[0].contains("POPUPS"))
            #expect(rows[1].contains("+442071234567") && rows[1].contains("John Doe") && rows[1].contains("answered") && rows[1].contains("crm"))
            #expect(rows[2].contains("Jane Roe") && rows[2].contains("missed") && rows[2].contains("crm,new-ticket") && rows[2].hasSuffix("c2"))
            let (_, missed, _) = try await callpop(["history", "--missed"])
            #expect(missed.split(separator: "\n").count == 2 && missed.contains("Jane Roe") && !missed.contains("John Doe"))
            let (_, lines, _) = try await callpop(["history", "--json", "--since", "1h"])
            let objects = lines.split(separator: "\n")
            #expect(objects.count == 2)
            #expect(objects.last?.contains(#""call":"c2""#) == true && objects.last?.contains(#""result":"missed""#) == true)
            #expect(objects.first?.contains(#""opened":["crm"]"#) == true)
            let (badCode, _, badErr) = try await callpop(["history", "--since", "last tuesday"])
            #expect(badCode == 64)
            #expect(badErr.contains("'last tuesday' is not a time"))
            let (_, none, _) = try await callpop(["history", "--since", "2999-01-01"])
            #expect(none == "no calls in the history\n")

            // A new agent (after a restart or a login) still finds the call in the file.
            try await agent.stop()
            agent = try AgentProcess(["run", "--config", config.path], environment: env, log: scratch.directory.appendingPathComponent("agent2.log"))
            try await AgentHealthTests().waitForAgent(env)
            let (againCode, _, againErr) = try await callpop(["open", "new-ticket", "--call", "c1"])
            #expect(againCode == 0, "\(againErr)")
            try await within(.seconds(10), "the page for c1") { while opened().count < 4 { try await Task.sleep(for: .milliseconds(20)) } }
            #expect(opened().last == "https://desk.example.com/new?n=%2B442071234567")
            try await agent.stop()

            // The journal is private to the user.
            let file = scratch.directory.appendingPathComponent("state/callpop/history.ndjson").path
            #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        }
    }
}
