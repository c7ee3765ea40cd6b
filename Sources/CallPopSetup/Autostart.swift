public import CallPopConfig

/// How callpop is started at login.
public enum AutostartMethod: String, Sendable, Hashable, CaseIterable {
    /// The systemd user unit `callpop.service`, wanted by `graphical-session.target`.
    case systemd
    /// The XDG autostart entry `~/.config/autostart/callpop.desktop`, for sessions without systemd.
    case xdg
}

/// What `callpop autostart status` finds.
public struct AutostartStatus: Sendable, Hashable {
    /// The methods that are set up; more than one means a conflict `enable` repairs.
    public var enabled: [AutostartMethod]
    /// Set-up files whose target is gone (the package was removed): they start nothing.
    public var broken: [String]
    /// What `enable` would choose without `--method`, and why.
    public var preferred: AutostartMethod
    /// Why `preferred` is the one for this user's sessions.
    public var reason: String
    /// Whether a systemd user manager runs.
    public var userManagerRuns: Bool
    /// Whether the unit is running; nil when no user manager could be asked.
    public var serviceActive: Bool?

    /// Exactly one working method is set up.
    public var isEnabled: Bool { enabled.count == 1 && broken.isEmpty }

    /// The report, one fact per line.
    public var lines: [String] {
        var out: [String] = []
        switch enabled.count {
        case 0: out.append("autostart: disabled (`callpop autostart enable` turns it on)")
        case 1: out.append("autostart: enabled with the \(enabled[0] == .systemd ? "systemd user unit" : "XDG autostart entry")")
        default: out.append("autostart: both the systemd unit and the XDG entry are set up; run `callpop autostart enable` to keep one")
        }
        for path in broken { out.append("broken: \(path) points to a file that is gone; run `callpop autostart disable`") }
        if let serviceActive { out.append("callpop.service: \(serviceActive ? "running" : "not running")") }
        out.append("this desktop: the \(preferred == .systemd ? "systemd unit" : "XDG entry") starts callpop here: \(reason)")
        if enabled.count == 1, enabled[0] != preferred {
            out.append("note: that is not what is enabled; run `callpop autostart enable` to switch, or it may never start")
        }
        return out
    }

    /// The method set up does not fit this desktop (it may never start).
    public var mismatched: Bool { enabled.count == 1 && enabled[0] != preferred }
}

/// Sets up starting callpop at login for the current user, with the systemd user unit where
/// the sessions reach `graphical-session.target` and the XDG autostart entry otherwise
/// (`AutostartSession`); never both.
///
/// Every operation is idempotent: enabling twice leaves the same files and says so.
public struct Autostart: Sendable {
    /// The user's and the system's locations.
    public var locations: AutostartLocations
    /// The user manager, asked only when it runs.
    public var manager: any UserServiceManager
    /// The environment (whether a graphical session and which desktop is here).
    public var environment: [String: String]

    /// Creates the tool for `locations`, telling `manager` about changes.
    public init(locations: AutostartLocations, manager: any UserServiceManager, environment: [String: String] = [:]) {
        self.locations = locations
        self.manager = manager
        self.environment = environment
    }

    /// What is known of this user's sessions.
    public var session: AutostartSession {
        AutostartSession.current(locations: locations, manager: manager, environment: environment)
    }

    /// The method `enable` uses when none is given.
    public var preferredMethod: AutostartMethod { session.method }

    /// Sets up `method` (default: the preferred one) and removes the other; with `now`,
    /// starts the service right away when the systemd unit is used. Returns what was done.
    public func enable(_ method: AutostartMethod? = nil, now: Bool = true) throws(SetupError) -> [String] {
        var log: [String] = []
        var chosen = method
        if chosen == nil {
            let session = self.session
            log.append("using the \(session.method == .systemd ? "systemd unit" : "XDG autostart entry"): \(session.reason)")
            chosen = session.method
        }
        let method = chosen ?? .xdg
        switch method {
        case .systemd:
            guard let unit = locations.installedUnit else {
                throw SetupError(.notInstalled, "\(AutostartLocations.unitName) is not installed (looked in ~/.config/systemd/user, "
                    + "$XDG_DATA_DIRS/systemd/user and /usr/lib/systemd/user): install the callpop package, or copy "
                    + "packaging/callpop.service to \(locations.configHome)/systemd/user/")
            }
            try removeEntry(&log)
            try install(link: locations.enablementLink, to: unit, &log)
            if locations.userManagerRuns {
                _ = manager.systemctl(["daemon-reload"])
                if now {
                    // Without waiting: the unit is ready only once the PBX session is up.
                    guard manager.systemctl(["start", "--no-block", AutostartLocations.unitName]) == 0 else {
                        throw SetupError(.serviceManager, "enabled, but `systemctl --user start callpop.service` failed; see `journalctl --user -u callpop`")
                    }
                    log.append("starting callpop.service (see `callpop status`; logs: journalctl --user -u callpop)")
                }
            } else {
                log.append("no systemd user manager runs now: callpop starts at your next graphical login")
            }
        case .xdg:
            guard let entry = locations.installedEntry else {
                throw SetupError(.notInstalled, "callpop/\(AutostartLocations.entryName) is not installed in any of "
                    + "\(([locations.dataHome] + locations.dataDirs).joined(separator: ", ")): install the callpop package")
            }
            try removeUnitLink(&log)
            try install(link: locations.userEntry, to: entry, &log)
            log.append("callpop starts at your next login; to start it now, run `callpop run &`")
        }
        return log
    }

    /// Removes both methods; with `now`, stops a running service. Returns what was done.
    public func disable(now: Bool = true) throws(SetupError) -> [String] {
        var log: [String] = []
        try removeEntry(&log)
        try removeUnitLink(&log)
        if locations.userManagerRuns && now && manager.systemctl(["is-active", "--quiet", AutostartLocations.unitName]) == 0 {
            _ = manager.systemctl(["stop", AutostartLocations.unitName])
            log.append("stopped callpop.service")
        }
        if log.isEmpty { log.append("autostart was already disabled") }
        return log
    }

    /// What is set up now.
    public func status() -> AutostartStatus {
        var enabled: [AutostartMethod] = []
        var broken: [String] = []
        for (method, path) in [(AutostartMethod.systemd, locations.enablementLink), (.xdg, locations.userEntry)] {
            switch UserFiles.kind(path) {
            case .missing: continue
            case .link(let target) where !AutostartLocations.isFile(target.hasPrefix("/") ? target : UserFiles.parent(path) + "/" + target):
                broken.append(path)
            default: enabled.append(method)
            }
        }
        let runs = locations.userManagerRuns
        let session = self.session
        return AutostartStatus(
            enabled: enabled, broken: broken, preferred: session.method, reason: session.reason, userManagerRuns: runs,
            serviceActive: runs ? manager.systemctl(["is-active", "--quiet", AutostartLocations.unitName]).map { $0 == 0 } : nil)
    }

    // MARK: Steps

    private func install(link path: String, to target: String, _ log: inout [String]) throws(SetupError) {
        if UserFiles.kind(path) == .link(target: target) {
            log.append("already enabled: \(path) -> \(target)")
            return
        }
        try UserFiles.makeDirectories(UserFiles.parent(path), mode: 0o755)
        if UserFiles.kind(path) == .file { try UserFiles.remove(path) }
        try UserFiles.link(path, to: target)
        log.append("created \(path) -> \(target)")
    }

    private func removeEntry(_ log: inout [String]) throws(SetupError) {
        try remove(locations.userEntry, &log)
    }

    private func removeUnitLink(_ log: inout [String]) throws(SetupError) {
        guard try remove(locations.enablementLink, &log) else { return }
        if locations.userManagerRuns { _ = manager.systemctl(["daemon-reload"]) }
    }

    @discardableResult
    private func remove(_ path: String, _ log: inout [String]) throws(SetupError) -> Bool {
        guard UserFiles.kind(path) != .missing else { return false }
        try UserFiles.remove(path)
        log.append("removed \(path)")
        return true
    }
}

extension Autostart {
    /// Why the agent could not run with `configuration` — said before it is set up to start at
    /// every login, where nobody would see it exit — or nil when it can.
    public static func refusal(for configuration: Configuration) -> String? {
        guard case .none = configuration.connection else { return nil }
        let file = configuration.files.last ?? "the configuration"
        return "no PBX is configured in \(file), so callpop would stop at every login: set [pbx] "
            + "(see /usr/share/doc/callpop/pbx/ or `man callpop.toml`), check it with `callpop check`, then run this again"
    }
}
