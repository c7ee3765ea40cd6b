import CallPopCore

/// What the notification server advertises (`GetCapabilities`).
public struct ServerCapabilities: Sendable, Hashable {
    /// All capability names as sent.
    public var names: Set<String>

    /// Creates capabilities from the names the server sent.
    public init(_ names: some Sequence<String>) {
        self.names = Set(names)
    }

    /// Action buttons are supported.
    public var actions: Bool { names.contains("actions") }
    /// The body may carry markup (and must then be escaped).
    public var bodyMarkup: Bool { names.contains("body-markup") }
    /// The body may carry `<a href>` links.
    public var bodyHyperlinks: Bool { names.contains("body-hyperlinks") }
}

/// The arguments of one `Notify` call, rendered from a notice. Pure.
struct NotificationContent: Sendable, Hashable {
    var summary: String
    var body: String
    var icon: String
    /// Flat key/label pairs as the specification wants them.
    var actions: [String]
    var hints: [String: DBusValue]
    /// Milliseconds; 0 keeps it until closed.
    var expireTimeout: Int32

    /// Renders what a notice shows on a server with these capabilities.
    init(notice: CallNotice, settings: NotificationSettings, capabilities: ServerCapabilities) {
        summary = Self.summary(notice)
        icon = settings.icons[notice.phase] ?? ""
        let name = NotificationText.clean(notice.remoteName)
        let number = NotificationText.clean(notice.remoteNumber)
        let markup = capabilities.bodyMarkup || capabilities.bodyHyperlinks
        var lines = Self.callerLines(notice, name: name, number: number, markup: markup)
        actions = []
        if capabilities.actions {
            actions = Self.actionList(notice.actions)
        } else if capabilities.bodyHyperlinks {
            let links = notice.actions.compactMap { action -> String? in
                guard let url = action.url else { return nil }
                let label = NotificationText.escapeMarkup(NotificationText.clean(action.label))
                return "<a href=\"\(NotificationText.escapeMarkup(url))\">\(label)</a>"
            }
            if !links.isEmpty { lines.append(links.joined(separator: " · ")) }
        }
        body = lines.joined(separator: "\n")
        let live = notice.phase == .ringing || notice.phase == .answered
        hints = ["urgency": .byte(notice.phase == .ringing ? 2 : 1)]
        // Resident: a click runs a rule but leaves the buttons there for another.
        if live { hints["resident"] = .bool(true) }
        if let entry = settings.desktopEntry { hints["desktop-entry"] = .string(entry) }
        expireTimeout = 0
    }

    private static func summary(_ notice: CallNotice) -> String {
        switch notice.phase {
        case .ringing: notice.direction == .incoming ? "Incoming call" : "Calling"
        case .answered: "Call in progress"
        case .missed: "Missed call"
        case .ended, .answeredElsewhere: "Call ended"
        }
    }

    /// One button per rule; the first rule is also the `default` action, run
    /// when the notification itself is clicked.
    private static func actionList(_ actions: [NotificationAction]) -> [String] {
        guard let first = actions.first else { return [] }
        var list = ["default", NotificationText.clean(first.label)]
        for action in actions where action.ruleID != "default" {
            list += [action.ruleID, NotificationText.clean(action.label)]
        }
        return list
    }

    /// The `Notify(susssasa{sv}i)` arguments.
    func notifyArguments(appName: String, replacesID: UInt32) -> [DBusValue] {
        [
            .string(appName), .uint32(replacesID), .string(icon), .string(summary), .string(body),
            .strings(actions), .vardict(hints), .int32(expireTimeout),
        ]
    }
}
