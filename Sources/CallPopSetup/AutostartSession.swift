/// Which way of starting callpop at login works in this user's sessions, and why.
///
/// The systemd unit is wanted by `graphical-session.target`, which only some sessions start
/// (GNOME, KDE Plasma, and sessions run by uwsm or similar); Xfce, MATE, i3 and others
/// usually never do, so there a unit would never start. The XDG autostart entry is run by
/// those desktops themselves (and, on systemd-run sessions, by systemd's XDG autostart
/// generator), so it is the choice wherever the target is not seen.
public struct AutostartSession: Sendable, Hashable {
    /// What was found out about the session.
    public var userManagerRuns: Bool
    /// `graphical-session.target` is active now.
    public var targetActive: Bool
    /// `graphical-session.target` was active at some time in this user manager's life.
    public var targetReachedBefore: Bool
    /// A graphical session is visible here (`WAYLAND_DISPLAY` or `DISPLAY`).
    public var graphical: Bool
    /// `XDG_CURRENT_DESKTOP`, when set.
    public var desktop: String?

    /// Creates the facts.
    public init(userManagerRuns: Bool, targetActive: Bool, targetReachedBefore: Bool, graphical: Bool, desktop: String?) {
        self.userManagerRuns = userManagerRuns
        self.targetActive = targetActive
        self.targetReachedBefore = targetReachedBefore
        self.graphical = graphical
        self.desktop = desktop
    }

    /// Finds the facts: the environment and, when a user manager runs, what it says of the target.
    public static func current(locations: AutostartLocations, manager: any UserServiceManager, environment: [String: String])
        -> AutostartSession
    {
        let runs = locations.userManagerRuns
        let active = runs && manager.systemctl(["is-active", "--quiet", AutostartLocations.wantedBy]) == 0
        var before = active
        if runs, !active,
           let entered = manager.output(["show", "--property=ActiveEnterTimestampMonotonic", "--value", AutostartLocations.wantedBy])
        {
            before = !entered.isEmpty && entered != "0"
        }
        let graphical = !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty || !(environment["DISPLAY"] ?? "").isEmpty
        let desktop = environment["XDG_CURRENT_DESKTOP"].flatMap { $0.isEmpty ? nil : $0 }
        return AutostartSession(
            userManagerRuns: runs, targetActive: active, targetReachedBefore: before, graphical: graphical, desktop: desktop)
    }

    /// The method that starts callpop here.
    public var method: AutostartMethod {
        userManagerRuns && (targetActive || targetReachedBefore) ? .systemd : .xdg
    }

    /// Why `method` is the one, in a sentence.
    public var reason: String {
        let this = desktop.map { "this session (\($0))" } ?? "this session"
        if !userManagerRuns {
            return "no systemd user manager runs, so the desktop's own autostart starts callpop"
        }
        if targetActive {
            return "\(this) has reached graphical-session.target, so systemd starts callpop with every graphical session"
        }
        if targetReachedBefore {
            return "graphical-session.target was reached in an earlier session of this user, so systemd starts callpop with it"
        }
        if graphical {
            return "\(this) does not start graphical-session.target, so a unit wanted by it would never start; "
                + "the desktop's autostart runs callpop"
        }
        return "graphical-session.target has not been seen (no graphical session here), and the XDG entry starts callpop "
            + "on every desktop; run `callpop autostart enable` again from a terminal on your desktop to choose for sure"
    }
}
