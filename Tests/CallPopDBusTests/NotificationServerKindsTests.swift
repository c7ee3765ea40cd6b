import CallPopCore
import Testing
@testable import CallPopDBus

/// What each kind of server is sent, and the health notice and activation tokens in the
/// state machine: pure, no bus.
struct NotificationServerKindsTests {
    static let actions = [
        NotificationAction(ruleID: "crm", label: "Open CRM", url: "https://crm.example.com/?n=1"),
        NotificationAction(ruleID: "ticket", label: "New ticket"),
    ]

    static func content(server: String, name: String = "John Doe", number: String = "+442071234567") -> NotificationContent {
        NotificationContent(
            notice: CallNotice(callID: "c", direction: .incoming, phase: .ringing, remoteNumber: number, remoteName: name,
                               actions: actions),
            settings: NotificationSettings(), capabilities: ServerCapabilities(["actions", "body", "body-markup"], serverName: server))
    }

    /// GNOME, KDE, xfce4-notifyd and notification-daemon show no button for `default`: the
    /// first rule keeps its own button, and the click on the notification runs it too.
    @Test(arguments: ["gnome-shell", "Plasma", "Xfce Notify Daemon", "Notification Daemon", ""])
    func buttonServersGetEveryRuleAsAButton(_ server: String) {
        #expect(Self.content(server: server).actions == ["default", "Open CRM", "crm", "Open CRM", "ticket", "New ticket"])
    }

    /// dunst and mako list every action in a menu, `default` included: no second entry for the
    /// first rule, and every entry names the caller, so two calls can be told apart.
    @Test(arguments: ["dunst", "mako"])
    func menuServersGetOneEntryPerRuleNamingTheCaller(_ server: String) {
        #expect(Self.content(server: server).actions == [
            "default", "Open CRM: John Doe", "ticket", "New ticket: John Doe",
        ])
        #expect(Self.content(server: server, name: "").actions == [
            "default", "Open CRM: +442071234567", "ticket", "New ticket: +442071234567",
        ])
        #expect(Self.content(server: server, name: "", number: "").actions[1] == "Open CRM: unknown caller")
        let long = Self.content(server: server, name: String(repeating: "x", count: 100)).actions[1]
        #expect(long == "Open CRM: " + String(repeating: "x", count: 39) + "…")
    }

    @Test func healthNoticesAreRenderedWithTheirUrgencyAndIcon() {
        let settings = NotificationSettings(healthIcons: [.problem: "dialog-warning", .recovered: "emblem-ok-symbolic"])
        let markup = ServerCapabilities(["body-markup"])
        let problem = NotificationContent(
            health: HealthNotice(topic: .pbx, severity: .problem, summary: "callpop lost the PBX",
                                 body: "cannot connect to <ami://pbx> & co\u{7}\nCheck the network."),
            settings: settings, capabilities: markup)
        #expect(problem.summary == "callpop lost the PBX")
        #expect(problem.body == "cannot connect to &lt;ami://pbx&gt; &amp; co\nCheck the network.")
        #expect(problem.icon == "dialog-warning")
        #expect(problem.actions == [])
        #expect(problem.hints == ["urgency": .byte(2), "category": .string("network.disconnected")])
        #expect(problem.expireTimeout == 0)
        let recovered = NotificationContent(
            health: HealthNotice(topic: .pbx, severity: .recovered, summary: "callpop is connected again", body: "ok"),
            settings: settings, capabilities: ServerCapabilities([]))
        #expect(recovered.icon == "emblem-ok-symbolic")
        #expect(recovered.hints == ["urgency": .byte(1), "category": .string("network.connected")])
        #expect(recovered.expireTimeout == 10_000)
    }

    @Test func oneHealthNoticeAtATimeReplacingTheLastAndWaitingForAServer() {
        var machine = NotificationStateMachine(settings: NotificationSettings())
        let first = HealthNotice(topic: .pbx, severity: .problem, summary: "down", body: "")
        #expect(machine.showHealth(first).isEmpty, "no server yet: kept")
        let shown = machine.serverAppeared(ServerCapabilities(["actions"]))
        guard case .notifyHealth(0, let content, let generation)? = shown.last else {
            Issue.record("expected the health Notify once a server appeared: \(shown)")
            return
        }
        #expect(content.summary == "down")
        // A second notice while the first is unanswered waits, then replaces it.
        #expect(machine.showHealth(HealthNotice(topic: .pbx, severity: .recovered, summary: "up", body: "")).isEmpty)
        let next = machine.healthReplied(id: 41, generation: generation)
        guard case .notifyHealth(41, let replacement, _)? = next.first else {
            Issue.record("expected the replacing Notify: \(next)")
            return
        }
        #expect(replacement.summary == "up")
        _ = machine.healthReplied(id: 41, generation: generation)
        // Dismissed by the user: not shown again on the next server.
        _ = machine.notificationClosed(id: 41)
        _ = machine.serverVanished()
        #expect(machine.serverAppeared(ServerCapabilities(["actions"])).isEmpty)
    }

    @Test func aClickTakesTheActivationTokenSentForItsNotification() {
        var machine = NotificationStateMachine(settings: NotificationSettings())
        _ = machine.serverAppeared(ServerCapabilities(["actions"]))
        _ = machine.update(CallNotice(callID: "c", direction: .incoming, phase: .ringing, remoteNumber: "1", remoteName: "",
                                      actions: Self.actions))
        _ = machine.notifyReplied(callID: "c", id: 7, generation: machine.generation)
        machine.activationToken(id: 8, token: "other-notification")
        machine.activationToken(id: 7, token: "gnome-shell/callpop/1234-5-host_TIME42")
        #expect(machine.actionInvoked(id: 7, key: "ticket") == [.invoke(ActionInvocation(
            callID: "c", ruleID: "ticket", activationToken: "gnome-shell/callpop/1234-5-host_TIME42"))])
        // Used once: a later click without a token of its own gets none.
        #expect(machine.actionInvoked(id: 7, key: "crm") == [.invoke(ActionInvocation(callID: "c", ruleID: "crm"))])
        // A token that could smuggle a second variable or a blank is not passed on.
        for bad in ["a b", "x\nNOTIFY_SOCKET=/tmp/s", "", String(repeating: "t", count: 300), "é"] {
            machine.activationToken(id: 7, token: bad)
            #expect(machine.actionInvoked(id: 7, key: "crm") == [.invoke(ActionInvocation(callID: "c", ruleID: "crm"))])
        }
    }

    @Test func theFocusVariablesForAClick() {
        #expect(ActivationEnvironment.forClick(token: "t1", wayland: true) == ["XDG_ACTIVATION_TOKEN": "t1"])
        #expect(ActivationEnvironment.forClick(token: "t1", wayland: false) == ["XDG_ACTIVATION_TOKEN": "t1", "DESKTOP_STARTUP_ID": "t1"])
        #expect(ActivationEnvironment.agentOnly == ["XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID", "NOTIFY_SOCKET"])
    }
}
