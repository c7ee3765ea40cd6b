import CallPopCore

/// What the notification server advertises (`GetCapabilities`) and who it is
/// (`GetServerInformation`).
public struct ServerCapabilities: Sendable, Hashable {
    /// All capability names as sent.
    public var names: Set<String>
    /// The server's name (`dunst`, `gnome-shell`, `Plasma`, `Xfce Notify Daemon`, `mako`), cleaned.
    public var serverName: String
    /// The server's version, cleaned.
    public var serverVersion: String

    /// Creates capabilities from the names the server sent.
    public init(_ names: some Sequence<String>, serverName: String = "", serverVersion: String = "") {
        self.names = Set(names)
        self.serverName = serverName
        self.serverVersion = serverVersion
    }

    /// The server lists actions as menu entries (dunst's context menu, `makoctl menu`), each
    /// entry on its own, the `default` one included: there a duplicate entry for the first
    /// rule shows twice, and a label must name the caller to tell two calls apart.
    public var listsActionsInAMenu: Bool {
        ["dunst", "mako"].contains(serverName.lowercased())
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
            let caller = capabilities.listsActionsInAMenu ? Self.caller(name: name, number: number) : nil
            actions = Self.actionList(notice.actions, caller: caller)
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

    /// One button per rule; the first rule is also the `default` action, run when the
    /// notification itself is clicked (GNOME, KDE, xfce4-notifyd and notification-daemon show
    /// no button for `default`, so its rule keeps a button of its own there). On a server that
    /// lists actions in a menu (`caller` is set) the first rule is the `default` entry only, and
    /// every label names the caller: "New ticket: John Doe".
    private static func actionList(_ actions: [NotificationAction], caller: String?) -> [String] {
        guard let first = actions.first else { return [] }
        func label(_ action: NotificationAction) -> String {
            let text = NotificationText.clean(action.label)
            return caller.map { "\(text): \($0)" } ?? text
        }
        var list = ["default", label(first)]
        for action in actions.dropFirst(caller == nil ? 0 : 1) where action.ruleID != "default" {
            list += [action.ruleID, label(action)]
        }
        return list
    }

    /// Who calls, short enough for a menu entry: the name, else the number.
    private static func caller(name: String, number: String) -> String {
        let who = name.isEmpty ? (number.isEmpty ? "unknown caller" : number) : name
        return who.count > 40 ? String(who.prefix(39)) + "…" : who
    }

    /// Renders a health notice: what stopped (or restarted) call popups and what to do.
    init(health notice: HealthNotice, settings: NotificationSettings, capabilities: ServerCapabilities) {
        summary = NotificationText.clean(notice.summary)
        // The body quotes PBX and file text: cleaned line by line (a path in an error message
        // is long: the log line's bound, not the caller name's), escaped where markup is read.
        let lines = notice.body.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let clean = UntrustedText.clean(line, for: .logLine)
            return capabilities.bodyMarkup || capabilities.bodyHyperlinks ? NotificationText.escapeMarkup(clean) : clean
        }
        body = lines.joined(separator: "\n")
        icon = settings.healthIcons[notice.severity] ?? ""
        actions = []
        let problem = notice.severity == .problem
        // A problem stays until dismissed (critical: also over full-screen windows); the good news goes by itself.
        hints = ["urgency": .byte(problem ? 2 : 1)]
        if notice.topic == .pbx || notice.topic == .login {
            hints["category"] = .string(problem ? "network.disconnected" : "network.connected")
        }
        if let entry = settings.desktopEntry { hints["desktop-entry"] = .string(entry) }
        expireTimeout = problem ? 0 : 10_000
    }

    /// The `Notify(susssasa{sv}i)` arguments.
    func notifyArguments(appName: String, replacesID: UInt32) -> [DBusValue] {
        [
            .string(appName), .uint32(replacesID), .string(icon), .string(summary), .string(body),
            .strings(actions), .vardict(hints), .int32(expireTimeout),
        ]
    }
}
