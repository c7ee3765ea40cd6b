import CallPopTestSupport
import Foundation
import Testing

/// Caller lookup end to end: the built `callpop run` on a private session bus with a
/// recording notification server, a CRM API on 127.0.0.1 that answers after 2 s, and the
/// real `xdg-open`. A popup that does not need the contact opens at once; the notification
/// shows after the budget and is updated in place with the late answer; rules then open the
/// contact's record; the answer is cached, so a second call and a restarted agent need no
/// network and show the name at once.
@Suite("Caller lookup on the desktop", .serialized)
struct CallerLookupDesktopTests {
    static let anna = #"{"result":{"records":[{"name":"Anna Alster","id":4711,"company":{"name":"Alster GmbH"},"url":"https://crm.example.com/contacts/4711"}]}}"#

    static func config(port: Int) -> String {
        """
        [user]
        number = "201"
        country_code = "49"

        [lookup]
        budget = "300ms"

        [[directory]]
        name = "crm"
        type = "http"
        url = "http://127.0.0.1:\(port)/api/search?phone={CALLERNUM:e164}"
        name_field = "result.records[0].name"
        company_field = "result.records[0].company.name"
        url_field = "result.records[0].url"
        id_field = "result.records[0].id"
        timeout = "5s"
        record_hosts = ["crm.example.com"]

        [[popup]]
        name = "Search"
        trigger = "ringing"
        url = "https://crm.example.com/search?phone={CALLERNUM:e164}"

        [[popup]]
        name = "Record"
        trigger = "ringing"
        known = true
        url = "{CONTACTURL}"

        [[popup]]
        name = "Open record"
        trigger = "on-click"
        known = true
        url = "{CONTACTURL}"
        """
    }

    /// A scratch home: the configuration, an event FIFO, a `$BROWSER` that logs the time and URL.
    struct Scratch {
        let directory: URL
        let browserLog: URL

        init(config: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-lookup-desktop-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try config.write(to: directory.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
            browserLog = directory.appendingPathComponent("browser.log")
            let recorder = directory.appendingPathComponent("browser")
            try "#!/bin/sh\nprintf '%s %s\\n' \"$(date +%s.%N)\" \"$*\" >> '\(browserLog.path)'\n".write(to: recorder, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: recorder.path)
        }

        var config: String { directory.appendingPathComponent("config.toml").path }
        var cache: String { directory.appendingPathComponent("cache").path }

        func environment(bus: TestBus) -> [String: String] {
            [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": directory.path, "XDG_CACHE_HOME": cache,
                "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
                "XDG_DATA_HOME": directory.appendingPathComponent("data").path, "XDG_DATA_DIRS": directory.path,
                "XDG_STATE_HOME": directory.appendingPathComponent("state").path,
                "BROWSER": directory.appendingPathComponent("browser").path, "DBUS_SESSION_BUS_ADDRESS": bus.address,
            ]
        }

        /// (time, URL) of every page opened so far, once `count` have been (or after 10 s).
        func opened(_ count: Int) async throws -> [(time: Double, url: String)] {
            let deadline = ContinuousClock.now + .seconds(10)
            var entries: [(Double, String)] = []
            while ContinuousClock.now < deadline {
                let text = (try? String(contentsOf: browserLog, encoding: .utf8)) ?? ""
                entries = text.split(separator: "\n").compactMap { line in
                    let parts = line.split(separator: " ", maxSplits: 1)
                    guard parts.count == 2, let time = Double(parts[0]) else { return nil }
                    return (time, String(parts[1]))
                }
                if entries.count >= count { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            return entries
        }
    }

    /// The agent on `scratch`, reading events from a new FIFO.
    final class RunningAgent {
        let process = Process()
        let events: FileHandle
        let log: URL

        init(_ scratch: Scratch, bus: TestBus, name: String) async throws {
            let fifo = scratch.directory.appendingPathComponent("\(name).fifo")
            guard mkfifo(fifo.path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
            log = scratch.directory.appendingPathComponent("\(name).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = AgentDesktopTests.binary
            process.arguments = ["run", "--config", scratch.config, "--events", fifo.path]
            process.environment = scratch.environment(bus: bus)
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            events = try await offPool { try FileHandle(forWritingTo: fifo) }
        }

        func send(_ line: String) { events.write(Data((line + "\n").utf8)) }

        func finish() async throws {
            try events.close()
            let process = self.process
            try await offPool { process.waitUntilExit() }
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    @Test func aSlowDirectoryNeverDelaysAPopupAndItsLateAnswerUpdatesTheNotification() async throws {
        guard TestEnvironment.canRunBusTests else { return }
        let crm = try await TestHTTPServer.start(routes: ["/api/search": [.init(body: Self.anna, delay: 2.0)]])
        defer { Task { await crm.stop() } }
        try await withTestBus { bus in
            let notifications = try await FakeNotificationServer.start(on: bus)
            let scratch = try Scratch(config: Self.config(port: crm.port))
            defer { try? FileManager.default.removeItem(at: scratch.directory) }

            let agent = try await RunningAgent(scratch, bus: bus, name: "first")
            let sent = Date().timeIntervalSince1970
            let clock = ContinuousClock()
            let started = clock.now
            agent.send(#"{"call":"c1","state":"ringing","direction":"incoming","number":"+49 40 1234567","name":"ALSTER ZENTRALE"}"#)

            // The popup that needs no contact opens at once: long before the directory answers.
            let first = try await scratch.opened(1)
            #expect(first.map(\.url) == ["https://crm.example.com/search?phone=%2B49401234567"])
            let popupDelay = (first.first?.time ?? .infinity) - sent
            #expect(popupDelay < 1.0, "the search page opened \(popupDelay) s after the ring")

            // The notification comes once the budget is over, still without a name.
            let shown = try #require(try await notifications.waitForCalls(1, "the ringing notification").first?.notify)
            #expect(clock.now - started < .milliseconds(1500))
            #expect(shown.summary == "Incoming call")
            #expect(shown.body == "<b>ALSTER ZENTRALE</b>\n+49 40 1234567", "\(shown.body)")
            #expect(shown.actions.isEmpty, "the record rule is offered once the caller is known")

            // The directory answers after 2 s: the same notification now says who it is.
            let updates = try await notifications.waitForCalls(2, "the update with the contact")
            let updated = try #require(updates.last?.notify)
            #expect(clock.now - started >= .seconds(2))
            #expect(updated.replacesID == shown.id)
            #expect(updated.body == "<b>Anna Alster</b>\nAlster GmbH\n+49 40 1234567 · PBX: ALSTER ZENTRALE", "\(updated.body)")
            #expect(updated.actions == ["default", "Open record", "open-record", "Open record"])
            // The automatic record rule was decided at the budget, without a contact: nothing more opened.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await scratch.opened(1).count == 1)

            // Clicking the offered rule opens the contact's record directly.
            await notifications.emitActionInvoked(id: updated.id, key: "open-record")
            #expect(try await scratch.opened(2).last?.url == "https://crm.example.com/contacts/4711")
            #expect(crm.requests().count == 1)

            // A second call from the number, written otherwise: from the cache, by name at once,
            // and the record rule opens the record.
            agent.send(#"{"call":"c1","state":"ended","direction":"incoming"}"#)
            agent.send(#"{"call":"c2","state":"ringing","direction":"incoming","number":"040 1234567"}"#)
            let second = try await scratch.opened(4)
            #expect(Set(second.suffix(2).map(\.url)) == ["https://crm.example.com/search?phone=%2B49401234567", "https://crm.example.com/contacts/4711"])
            let calls = try await notifications.waitForCalls(4, "the second call's notification")
            let secondShown = calls.compactMap(\.notify).last
            #expect(secondShown?.body.hasPrefix("<b>Anna Alster</b>\nAlster GmbH\n040 1234567") == true, "\(String(describing: secondShown?.body))")
            #expect(crm.requests().count == 1, "the second call needed no network")
            try await agent.finish()
            let cacheFile = scratch.cache + "/callpop/lookup-cache.json"
            #expect(((try? FileManager.default.attributesOfItem(atPath: cacheFile)[.posixPermissions]) as? Int) == 0o600)

            // A restarted agent still knows the caller without asking.
            let restarted = try await RunningAgent(scratch, bus: bus, name: "second")
            restarted.send(#"{"call":"c3","state":"ringing","direction":"incoming","number":"+49401234567"}"#)
            let third = try await scratch.opened(6)
            #expect(third.suffix(2).map(\.url).contains("https://crm.example.com/contacts/4711"))
            #expect(crm.requests().count == 1, "the cache survived the restart")
            try await restarted.finish()
            #expect(restarted.process.terminationStatus == 0)
            let log = (try? String(contentsOf: restarted.log, encoding: .utf8)) ?? ""
            #expect(!log.contains("error"), "\(log)")
        }
    }
}
