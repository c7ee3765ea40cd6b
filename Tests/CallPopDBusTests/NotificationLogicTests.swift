import CallPopCore
import Testing
@testable import CallPopDBus

/// The pure parts: text cleaning, phases, and the state machine's ordering rules.
struct NotificationLogicTests {
    @Test(arguments: [
        ("John Doe", "John Doe"),
        ("  John \t\n Doe  ", "John Doe"),
        ("a\u{0}b\u{7}c\u{1B}d\u{7F}e\u{85}f", "a b c d e f"),
        ("+44\u{202E}7654\u{202C}321", "+447654321"),
        ("\u{2066}x\u{2069}\u{200F}", "x"),
        ("", ""),
    ])
    func cleaning(input: String, expected: String) {
        #expect(NotificationText.clean(input) == expected)
    }

    @Test func longNamesAreCut() {
        let cleaned = NotificationText.clean(String(repeating: "é", count: 500))
        #expect(cleaned.count == NotificationText.maximumLength)
        #expect(cleaned.hasSuffix("…"))
    }

    @Test func escaping() {
        #expect(NotificationText.escapeMarkup(#"<b>&"'</b>"#) == "&lt;b&gt;&amp;&quot;&apos;&lt;/b&gt;")
    }

    @Test func phasesFromEvents() {
        func phase(_ state: CallState, _ direction: CallDirection, answered: Bool, elsewhere: Bool = false) -> CallPhase {
            CallPhase(event: CallEvent(callID: "c", state: state, direction: direction, answeredElsewhere: elsewhere),
                      wasAnswered: answered)
        }
        #expect(phase(.ringing, .incoming, answered: false) == .ringing)
        #expect(phase(.answered, .outgoing, answered: false) == .answered)
        #expect(phase(.ended, .incoming, answered: false) == .missed)
        #expect(phase(.ended, .incoming, answered: true) == .ended)
        #expect(phase(.ended, .incoming, answered: false, elsewhere: true) == .answeredElsewhere)
        #expect(phase(.ended, .outgoing, answered: false) == .ended)
    }

    @Test func unknownCallerAndNoRules() {
        let content = NotificationContent(
            notice: CallNotice(callID: "c", direction: .incoming, phase: .ringing, remoteNumber: "", remoteName: "\u{7}",
                               actions: []),
            settings: NotificationSettings(desktopEntry: "io.github.callpop"), capabilities: ServerCapabilities(["actions", "body-markup"]))
        #expect(content.body == "Unknown caller")
        #expect(content.actions == [])
        #expect(content.hints["desktop-entry"] == .string("io.github.callpop"))
    }

    static let notice = CallNotice(
        callID: "c", direction: .incoming, phase: .ringing, remoteNumber: "1", remoteName: "",
        actions: [NotificationAction(ruleID: "crm", label: "CRM")])

    @Test func repliesFromAnEarlierServerAreIgnored() {
        var machine = NotificationStateMachine(settings: NotificationSettings())
        _ = machine.serverAppeared(ServerCapabilities(["actions"]))
        guard case .notify(_, 0, _, let oldGeneration)? = machine.update(Self.notice).first else {
            Issue.record("expected a Notify")
            return
        }
        _ = machine.serverVanished()
        let again = machine.serverAppeared(ServerCapabilities(["actions"]))
        #expect(again.count == 1)
        #expect(machine.notifyReplied(callID: "c", id: 9, generation: oldGeneration) == [])
        #expect(machine.actionInvoked(id: 9, key: "crm") == [])
        _ = machine.notifyReplied(callID: "c", id: 3, generation: machine.generation)
        #expect(machine.actionInvoked(id: 3, key: "default") == [.invoke(ActionInvocation(callID: "c", ruleID: "crm"))])
        #expect(machine.actionInvoked(id: 3, key: "rm -rf") == [.log(.warning, "Ignored a click on an unknown notification button.")])
    }

    /// A click that crosses our CloseNotification still runs its rule.
    @Test func clickCrossingTheCloseStillCounts() {
        var machine = NotificationStateMachine(settings: NotificationSettings())
        _ = machine.serverAppeared(ServerCapabilities(["actions"]))
        _ = machine.update(Self.notice)
        _ = machine.notifyReplied(callID: "c", id: 4, generation: machine.generation)
        var ended = Self.notice
        ended.phase = .ended
        #expect(machine.update(ended) == [.close(id: 4)])
        #expect(machine.actionInvoked(id: 4, key: "crm") == [.invoke(ActionInvocation(callID: "c", ruleID: "crm"))])
        _ = machine.notificationClosed(id: 4)
        #expect(machine.actionInvoked(id: 4, key: "crm") == [])
    }

    /// The server's NotificationClosed may be handled before its reply to Notify (they reach
    /// different tasks): the user's dismissal still holds.
    @Test func closedBeforeTheReplyStillDismisses() {
        var machine = NotificationStateMachine(settings: NotificationSettings())
        _ = machine.serverAppeared(ServerCapabilities(["actions"]))
        _ = machine.update(Self.notice)
        #expect(machine.notificationClosed(id: 5) == [])
        #expect(machine.notifyReplied(callID: "c", id: 5, generation: machine.generation) == [])
        var answered = Self.notice
        answered.phase = .answered
        #expect(machine.update(answered) == [], "a dismissed notification came back")
    }

    /// Calls that never end (a hostile source, lost hang-ups) cannot pile up notifications.
    @Test func theOldestCallsNotificationIsClosedBeyondTheLimit() {
        var machine = NotificationStateMachine(settings: NotificationSettings())
        _ = machine.serverAppeared(ServerCapabilities(["actions"]))
        for n in 0..<NotificationStateMachine.maximumCalls {
            var notice = Self.notice
            notice.callID = "flood-\(n)"
            _ = machine.update(notice)
            _ = machine.notifyReplied(callID: notice.callID, id: UInt32(100 + n), generation: machine.generation)
        }
        var one = Self.notice
        one.callID = "one-more"
        let actions = machine.update(one)
        #expect(actions.first == .close(id: 100), "\(actions)")
        #expect(actions.count == 2)
    }

    @Test func failedNotifyIsLoggedAndTheNextChangeShowsFresh() {
        var machine = NotificationStateMachine(settings: NotificationSettings())
        _ = machine.serverAppeared(ServerCapabilities(["actions"]))
        _ = machine.update(Self.notice)
        var answered = Self.notice
        answered.phase = .answered
        #expect(machine.update(answered) == [])
        let actions = machine.notifyFailed(callID: "c", message: "boom", generation: machine.generation)
        #expect(actions.first == .log(.warning, "The notification server refused a call notification: boom"))
        guard case .notify(_, 0, let content, _)? = actions.last else {
            Issue.record("expected a fresh Notify")
            return
        }
        #expect(content.summary == "Call in progress")
    }

    @Test func matchRuleQuoting() {
        #expect(DBusMatchRule(interface: "a.b", member: "C", arg0: "it's").text
                == #"type='signal',interface='a.b',member='C',arg0='it'\''s'"#)
    }
}
