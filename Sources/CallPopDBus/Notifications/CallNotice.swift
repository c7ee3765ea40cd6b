public import CallPopCore

/// The phase of a call as far as its notification is concerned.
public enum CallPhase: String, Sendable, Hashable, CaseIterable, Codable {
    /// Incoming: the phone rings. Outgoing: the call is being placed.
    case ringing
    /// The call is connected to the user.
    case answered
    /// The call is over after it was answered, or an outgoing call gave up.
    case ended
    /// An incoming call ended without being answered by anybody.
    case missed
    /// Somebody else took the call (ring group, queue, pickup).
    case answeredElsewhere

    /// The phase for a call event, given whether the user answered the call earlier.
    ///
    /// An incoming call that ends unanswered is missed; one that ends with
    /// `answeredElsewhere` was taken by a colleague.
    public init(event: CallEvent, wasAnswered: Bool) {
        switch event.state {
        case .ringing: self = .ringing
        case .answered: self = .answered
        case .ended:
            if event.answeredElsewhere {
                self = .answeredElsewhere
            } else if event.direction == .incoming, !wasAnswered {
                self = .missed
            } else {
                self = .ended
            }
        }
    }
}

/// An on-click rule offered as a notification button.
public struct NotificationAction: Sendable, Hashable {
    /// The rule's stable id: the action key sent back when clicked.
    public var ruleID: String
    /// The rule's name: the button label.
    public var label: String
    /// The rule's expanded URL, for servers that can only show links; `nil` for app rules.
    public var url: String?

    /// Creates an action.
    public init(ruleID: String, label: String, url: String? = nil) {
        self.ruleID = ruleID
        self.label = label
        self.url = url
    }
}

/// What a notification should show for one call right now.
public struct CallNotice: Sendable, Hashable {
    /// The call's stable id.
    public var callID: String
    /// Which way the call goes.
    public var direction: CallDirection
    /// Where the call is.
    public var phase: CallPhase
    /// The other party's number. Untrusted.
    public var remoteNumber: String
    /// The other party's name, empty when unknown. Untrusted.
    public var remoteName: String
    /// The on-click rules for this call, in configuration order.
    public var actions: [NotificationAction]
    /// Who caller lookup says the other party is; empty when unknown. Untrusted.
    public var contactName = ""
    /// The contact's organisation; empty when unknown. Untrusted.
    public var contactOrganisation = ""

    /// Creates a notice.
    public init(
        callID: String, direction: CallDirection, phase: CallPhase, remoteNumber: String, remoteName: String,
        actions: [NotificationAction]
    ) {
        self.callID = callID
        self.direction = direction
        self.phase = phase
        self.remoteNumber = remoteNumber
        self.remoteName = remoteName
        self.actions = actions
    }

    /// A notice for a call event.
    public init(event: CallEvent, wasAnswered: Bool, actions: [NotificationAction]) {
        self.init(
            callID: event.callID, direction: event.direction, phase: CallPhase(event: event, wasAnswered: wasAnswered),
            remoteNumber: event.remoteNumber, remoteName: event.remoteName, actions: actions)
    }
}

/// A click on a notification button: run this rule for this call.
public struct ActionInvocation: Sendable, Hashable {
    /// The call the notification was for.
    public var callID: String
    /// The clicked rule's id.
    public var ruleID: String
    /// The token the notification server sent for the click (Desktop Notifications 1.2
    /// `ActivationToken`), which lets the program it starts take the focus on Wayland
    /// (`XDG_ACTIVATION_TOKEN`) and X11 (`DESKTOP_STARTUP_ID`); nil when none came.
    public var activationToken: String?

    /// Creates an invocation.
    public init(callID: String, ruleID: String, activationToken: String? = nil) {
        self.callID = callID
        self.ruleID = ruleID
        self.activationToken = activationToken
    }

    /// Whether `token` may be passed on: printable ASCII without blanks, at most 256
    /// characters (an XDG activation token or a startup-notification id is much shorter).
    static func isUsableToken(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 256 && token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
