/// How call notifications look and when they show.
public struct NotificationSettings: Sendable, Hashable {
    /// Whether to show notifications at all.
    public var enabled: Bool
    /// The phases that show a notification. A call moving to a phase not listed
    /// here has its notification closed. `ended` and `answeredElsewhere` always close.
    public var phases: Set<CallPhase>
    /// The application name shown by the server.
    public var appName: String
    /// Icon names (freedesktop icon naming) per phase.
    public var icons: [CallPhase: String]
    /// The desktop entry hint (the `.desktop` file name without suffix), when installed.
    public var desktopEntry: String?

    /// Default: enabled for ringing, answered and missed calls.
    public init(
        enabled: Bool = true,
        phases: Set<CallPhase> = [.ringing, .answered, .missed],
        appName: String = "callpop",
        icons: [CallPhase: String] = [
            .ringing: "call-start-symbolic", .answered: "call-start-symbolic", .missed: "call-missed-symbolic",
        ],
        desktopEntry: String? = nil
    ) {
        self.enabled = enabled
        self.phases = phases
        self.appName = appName
        self.icons = icons
        self.desktopEntry = desktopEntry
    }
}
