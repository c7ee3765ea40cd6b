public import CallPopCore

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
    /// Icon names of health notices, per severity.
    public var healthIcons: [HealthNotice.Severity: String]
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
        healthIcons: [HealthNotice.Severity: String] = [.problem: "dialog-warning", .recovered: "dialog-information"],
        desktopEntry: String? = nil
    ) {
        self.enabled = enabled
        self.phases = phases
        self.appName = appName
        self.icons = icons
        self.healthIcons = healthIcons
        self.desktopEntry = desktopEntry
    }

    /// Icon names to try per phase, best first; the last is a standard name of the Icon
    /// Naming Specification, the fallback when no installed theme has any of them.
    static let iconCandidates: [CallPhase: [String]] = [
        .ringing: ["call-start-symbolic", "call-start", "phone-symbolic", "phone"],
        .answered: ["call-start-symbolic", "call-start", "phone-symbolic", "phone"],
        .missed: ["call-missed-symbolic", "call-missed", "call-stop-symbolic", "call-stop"],
    ]
    static let healthIconCandidates: [HealthNotice.Severity: [String]] = [
        .problem: ["dialog-warning-symbolic", "dialog-warning"],
        .recovered: ["emblem-ok-symbolic", "dialog-information-symbolic", "dialog-information"],
    ]

    /// These settings with icons the icon themes installed for `environment` have: `preferred`
    /// for ringing and answered calls when a theme has it, else the best installed candidate.
    /// Reads directories: call it off the cooperative pool.
    public func choosingInstalledIcons(environment: [String: String], preferred: String? = nil) -> NotificationSettings {
        var wanted = Set(Self.iconCandidates.values.joined()).union(Self.healthIconCandidates.values.joined())
        if let preferred { wanted.insert(preferred) }
        let installed = IconLookup.installed(wanted, in: IconLookup.directories(environment: environment))
        var chosen = self
        for (phase, candidates) in Self.iconCandidates {
            let own = phase == .missed ? nil : preferred
            chosen.icons[phase] = own.flatMap { installed.contains($0) ? $0 : nil } ?? IconLookup.choose(candidates, installed: installed)
        }
        for (severity, candidates) in Self.healthIconCandidates {
            chosen.healthIcons[severity] = IconLookup.choose(candidates, installed: installed)
        }
        return chosen
    }
}
