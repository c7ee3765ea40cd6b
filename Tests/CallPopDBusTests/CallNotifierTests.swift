import CallPopCore
import Logging
import Testing
@testable import CallPopDBus

/// The notifier against a real bus and a recording notification server.
@Suite(.enabled(if: TestEnvironment.canRunBusTests, "needs dbus-daemon"), .timeLimit(.minutes(1)))
struct CallNotifierTests {
    static let actions = [
        NotificationAction(ruleID: "crm", label: "Open CRM", url: "https://crm.example.com/find?n=%2B442071234567&x=1"),
        NotificationAction(ruleID: "ticket", label: "New ticket", url: nil),
    ]

    static func notice(_ phase: CallPhase, call: String = "call-1", direction: CallDirection = .incoming,
                       name: String = "John Doe", number: String = "+442071234567") -> CallNotice {
        CallNotice(callID: call, direction: direction, phase: phase, remoteNumber: number, remoteName: name,
                   actions: actions)
    }

    static let buttons = ["default", "Open CRM", "crm", "Open CRM", "ticket", "New ticket"]

    /// A notifier on its own connection to `bus`, started.
    static func notifier(
        _ bus: TestBus, settings: NotificationSettings = NotificationSettings()
    ) async throws -> (CallNotifier, RecordingLogHandler.Store) {
        let connection = try await DBusConnection.connect(to: .address(bus.address))
        let (logger, logs) = RecordingLogHandler.logger()
        let notifier = CallNotifier(connection: connection, settings: settings, logger: logger)
        try await notifier.start()
        return (notifier, logs)
    }

    @Test func ringingAnsweredHangupShowsUpdatesAndCloses() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let (notifier, _) = try await Self.notifier(bus)

            await notifier.update(Self.notice(.ringing))
            let ringing = try #require(try await server.waitForCalls(1, "the ringing Notify")[0].notify)
            #expect(ringing.appName == "callpop")
            #expect(ringing.replacesID == 0)
            #expect(ringing.icon == "call-start-symbolic")
            #expect(ringing.summary == "Incoming call")
            #expect(ringing.body == "<b>John Doe</b>\n+442071234567")
            #expect(ringing.actions == Self.buttons)
            #expect(ringing.hints == [
                DBusDictionaryEntry(key: .string("resident"), value: .variant(.bool(true))),
                DBusDictionaryEntry(key: .string("urgency"), value: .variant(.byte(2))),
            ])
            #expect(ringing.expireTimeout == 0)

            await notifier.update(Self.notice(.answered))
            let answered = try #require(try await server.waitForCalls(2, "the answered Notify")[1].notify)
            #expect(answered.replacesID == ringing.id)
            #expect(answered.id == ringing.id)
            #expect(answered.summary == "Call in progress")
            #expect(answered.actions == Self.buttons)

            await notifier.update(Self.notice(.ended))
            let calls = try await server.waitForCalls(3, "the CloseNotification")
            #expect(calls[2] == .close(ringing.id))
            await notifier.stop()
        }
    }

    /// Changes that arrive before the server answered the first Notify wait
    /// for its id: the update replaces it instead of opening a second one, and
    /// changes in between are folded into the latest.
    @Test func quickChangesWaitForTheNotifyReply() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let (notifier, _) = try await Self.notifier(bus)
            await notifier.update(Self.notice(.ringing, direction: .outgoing))
            await notifier.update(Self.notice(.answered, direction: .outgoing))
            let calls = try await server.waitForCalls(2, "Notify, Notify")
            let first = try #require(calls[0].notify)
            #expect(first.summary == "Calling")
            #expect(calls[1].notify?.summary == "Call in progress")
            #expect(calls[1].notify?.replacesID == first.id)

            await notifier.update(Self.notice(.ringing, call: "q"))
            await notifier.update(Self.notice(.answered, call: "q"))
            await notifier.update(Self.notice(.ended, call: "q"))
            let more = try await server.waitForCalls(4, "call q's Notify and close")
            let q = try #require(more[2].notify)
            #expect(q.summary == "Incoming call")
            #expect(more[3] == .close(q.id))
            #expect(await server.calls.count == 4)
        }
    }

    /// A hung notification server does not hold up the event path: `update`
    /// returns while the Notify is still unanswered, for this call and others.
    @Test func hungServerDoesNotBlockUpdates() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus, answersNotify: false)
            let (notifier, _) = try await Self.notifier(bus)
            let start = ContinuousClock.now
            for call in ["h1", "h2", "h3"] {
                await notifier.update(Self.notice(.ringing, call: call))
                await notifier.update(Self.notice(.answered, call: call))
            }
            #expect(ContinuousClock.now - start < .seconds(1))
            let calls = try await server.waitForCalls(3, "three unanswered Notify calls")
            #expect(calls.compactMap(\.notify?.summary) == ["Incoming call", "Incoming call", "Incoming call"])
        }
    }

    @Test func hostileCallerIDIsCleanedAndEscaped() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let (notifier, _) = try await Self.notifier(bus)
            await notifier.update(
                Self.notice(.ringing, name: "<b>Evil & \"Co\" 'Ltd'</b>\u{07}\n<a href=\"x\">Mal\u{202E}lory</a>\u{0}",
                            number: "+44\u{1B}[31m 20<script>"))
            let notify = try #require(try await server.waitForCalls(1, "the Notify")[0].notify)
            #expect(notify.body == "<b>&lt;b&gt;Evil &amp; &quot;Co&quot; &apos;Ltd&apos;&lt;/b&gt; "
                    + "&lt;a href=&quot;x&quot;&gt;Mallory&lt;/a&gt;</b>\n+44 [31m 20&lt;script&gt;")
        }
    }

    @Test func answeredElsewhereCloses() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let (notifier, _) = try await Self.notifier(bus)
            await notifier.update(Self.notice(.ringing))
            let id = try #require(try await server.waitForCalls(1, "the Notify")[0].notify?.id)
            await notifier.update(Self.notice(.answeredElsewhere))
            #expect(try await server.waitForCalls(2, "the close")[1] == .close(id))
        }
    }

    /// A missed call keeps its buttons, and a click on it, after the call is
    /// over, comes out as an invocation for that call and rule.
    @Test func missedCallKeepsActionsAndClicksStillWork() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let (notifier, _) = try await Self.notifier(bus)
            await notifier.update(Self.notice(.ringing))
            let id = try #require(try await server.waitForCalls(1, "the ringing Notify")[0].notify?.id)
            await notifier.update(Self.notice(.missed))
            let missed = try #require(try await server.waitForCalls(2, "the missed Notify")[1].notify)
            #expect(missed.replacesID == id)
            #expect(missed.summary == "Missed call")
            #expect(missed.icon == "call-missed-symbolic")
            #expect(missed.actions == Self.buttons)
            #expect(missed.hints == [DBusDictionaryEntry(key: .string("urgency"), value: .variant(.byte(1)))])

            await server.emitActionInvoked(id: id, key: "ticket")
            #expect(try await first(of: notifier.invocations, "the ticket click")
                    == ActionInvocation(callID: "call-1", ruleID: "ticket"))
            await server.emitActionInvoked(id: id, key: "default")
            #expect(try await first(of: notifier.invocations, "the default click")
                    == ActionInvocation(callID: "call-1", ruleID: "crm"))
        }
    }

    /// Only the notification server's clicks count: another client emitting
    /// the same signal is ignored.
    @Test func clicksFromOtherClientsAreIgnored() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let (notifier, _) = try await Self.notifier(bus)
            await notifier.update(Self.notice(.ringing, call: "call-7"))
            let id = try #require(try await server.waitForCalls(1, "the Notify")[0].notify?.id)

            let impostor = try await DBusConnection.connect(to: .address(bus.address))
            impostor.send(.signal(path: NotificationsAPI.path, interface: NotificationsAPI.interface,
                                  member: "ActionInvoked", arguments: [.uint32(id), .string("ticket")]))
            // A round trip from the impostor: the bus has routed its signal before it answers.
            _ = try await impostor.callBus("GetId")
            await server.emitActionInvoked(id: id, key: "crm")
            #expect(try await first(of: notifier.invocations, "the real click")
                    == ActionInvocation(callID: "call-7", ruleID: "crm"))
        }
    }

    /// A dismissed ringing notification is not pushed back on answer, and a
    /// click on an unknown id does nothing.
    @Test func dismissedNotificationStaysDismissed() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let (notifier, _) = try await Self.notifier(bus)
            await notifier.update(Self.notice(.ringing, call: "a"))
            let id = try #require(try await server.waitForCalls(1, "the Notify")[0].notify?.id)
            await server.emitClosed(id: id, reason: 2)
            await server.emitActionInvoked(id: id, key: "crm")
            // The signals reach the notifier's actor through its own task: give it time to
            // handle them before the test's next update (a loaded machine can be slow here).
            // Their order against the Notify reply no longer matters (closedBeforeTheReplyStillDismisses).
            try await Task.sleep(for: .milliseconds(300))
            await notifier.update(Self.notice(.ringing, call: "b"))
            _ = try await server.waitForCalls(2, "call b's Notify")
            await notifier.update(Self.notice(.answered, call: "a"))
            await notifier.update(Self.notice(.answered, call: "b"))
            let calls = try await server.waitForCalls(3, "call b's answered Notify")
            #expect(calls[2].notify?.summary == "Call in progress")
            #expect(calls[2].notify?.replacesID == calls[1].notify?.id)
            #expect(await server.calls.count == 3)
        }
    }

    /// Without buttons but with links: URL rules become links in the body.
    @Test func noActionsFallsBackToBodyLinks() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus, capabilities: ["body", "body-markup", "body-hyperlinks"])
            let (notifier, logs) = try await Self.notifier(bus)
            await notifier.update(Self.notice(.ringing))
            let notify = try #require(try await server.waitForCalls(1, "the Notify")[0].notify)
            #expect(notify.actions == [])
            #expect(notify.body == "<b>John Doe</b>\n+442071234567\n"
                    + "<a href=\"https://crm.example.com/find?n=%2B442071234567&amp;x=1\">Open CRM</a>")
            #expect(logs.messages(at: .info).contains(
                "The notification server shows no buttons; on-click rules with a URL appear as links."))
        }
    }

    /// Neither buttons nor links nor markup: plain text, and a warning that on-click is unavailable.
    @Test func noActionsNoLinksLogsOnClickUnavailable() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus, capabilities: ["body"])
            let (notifier, logs) = try await Self.notifier(bus)
            await notifier.update(Self.notice(.ringing, name: "A & B <x>"))
            let notify = try #require(try await server.waitForCalls(1, "the Notify")[0].notify)
            #expect(notify.actions == [])
            #expect(notify.body == "A & B <x>\n+442071234567")
            #expect(logs.messages(at: .warning) == [
                "The notification server shows neither buttons nor links: on-click rules are unavailable on this "
                    + "desktop. Use `callpop open RULE` (for example from a keyboard shortcut).",
            ])
        }
    }

    /// No server at start: the notifier runs on, and shows the live call when
    /// a server appears; a restarted server gets it again.
    @Test func serverAppearingLaterShowsLiveCalls() async throws {
        try await withTestBus { bus in
            let (notifier, logs) = try await Self.notifier(bus)
            #expect(logs.messages(at: .info).contains(
                "No desktop notification server on the session bus; call notifications show once one starts."))
            await notifier.update(Self.notice(.ringing))

            let server = try await FakeNotificationServer.start(on: bus)
            let shown = try #require(try await server.waitForCalls(1, "the Notify after the server started")[0].notify)
            #expect(shown.summary == "Incoming call")
            #expect(shown.replacesID == 0)
            await notifier.update(Self.notice(.answered))
            #expect(try await server.waitForCalls(2, "the answered Notify")[1].notify?.replacesID == shown.id)

            await server.quit()
            let second = try await FakeNotificationServer.start(on: bus)
            let again = try #require(try await second.waitForCalls(1, "the Notify on the new server")[0].notify)
            #expect(again.summary == "Call in progress")
            #expect(again.replacesID == 0)
        }
    }

    /// Only the configured phases show; a phase not shown closes what was shown.
    @Test func configuredPhasesOnly() async throws {
        try await withTestBus { bus in
            let server = try await FakeNotificationServer.start(on: bus)
            let (notifier, _) = try await Self.notifier(bus, settings: NotificationSettings(phases: [.ringing, .missed]))
            await notifier.update(Self.notice(.ringing, call: "x"))
            let id = try #require(try await server.waitForCalls(1, "the ringing Notify")[0].notify?.id)
            await notifier.update(Self.notice(.answered, call: "x"))
            #expect(try await server.waitForCalls(2, "the close on answer")[1] == .close(id))

            let (quiet, _) = try await Self.notifier(bus, settings: NotificationSettings(enabled: false))
            await quiet.update(Self.notice(.ringing, call: "y"))
            await quiet.update(Self.notice(.missed, call: "y"))
            await notifier.update(Self.notice(.ringing, call: "z"))
            let calls = try await server.waitForCalls(3, "call z's Notify")
            #expect(calls[2].notify?.summary == "Incoming call")
            #expect(await server.calls.count == 3)
        }
    }
}
