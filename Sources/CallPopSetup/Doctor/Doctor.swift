import CallPopConfig
internal import CallPopCore
internal import CallPopDBus
internal import CallPopLaunch
internal import CallPopPlatform
internal import FoundationEssentials

/// `callpop doctor`: checks everything a popup needs, in order, and says in plain words what
/// is wrong and how to fix it — the configuration, the PBX (reachable, login or subscription
/// accepted, the user's extension seen), the notification server, the URL opener, autostart
/// for this desktop, and the running agent.
public struct Doctor: Sendable {
    /// The environment (configuration files, PATH, the session bus, the desktop).
    public var environment: [String: String]
    /// A configuration file given with `--config`.
    public var explicitFile: String?
    /// How long the PBX probe may take.
    public var probeTime: Duration

    /// A doctor for this environment.
    public init(environment: [String: String], explicitFile: String? = nil, probeTime: Duration = .seconds(8)) {
        self.environment = environment
        self.explicitFile = explicitFile
        self.probeTime = probeTime
    }

    /// Runs every check. The PBX probe and the bus queries take a few seconds at most.
    public func run() async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let loaded = Result { () throws(ConfigurationError) in
            try ConfigurationLoader(environment: environment).load(explicitFile: explicitFile)
        }
        let configuration: Configuration?
        switch loaded {
        case .success(let found):
            configuration = found
            let rules = found.ruleSet.rules.count
            let warning = found.warnings.first.map { "; \($0.description)" } ?? ""
            checks.append(DoctorCheck(
                "configuration", found.warnings.isEmpty ? .ok : .warn,
                "\(found.files.joined(separator: ", ")): \(rules) popup rule\(rules == 1 ? "" : "s"), [pbx] source \(found.pbx.source.rawValue)\(warning)",
                fix: rules == 0 ? "add [[popup]] rules (callpop init --stdout --examples shows some)" : nil))
        case .failure(let error):
            configuration = nil
            let errors = error.diagnostics.filter { !$0.isWarning }
            checks.append(DoctorCheck(
                "configuration", .fail,
                "\(errors.count) error\(errors.count == 1 ? "" : "s"), the first: \(errors.first?.description ?? "")",
                fix: "callpop check lists every error with its line; fix them, then run callpop doctor again"))
        }
        if let configuration {
            checks += await PBXProbe.checks(
                configuration.connection, user: configuration.ruleSet.user.number, within: probeTime, environment: environment)
        }
        let bus = try? await DBusConnection.connect(to: sessionBus)
        checks.append(await notificationServer(bus, onClickRules: configuration.map(onClickRules) ?? 0))
        if let configuration { checks.append(opener(configuration)) }
        checks.append(autostart())
        checks.append(await agent(bus))
        bus?.close()
        return checks
    }

    private var sessionBus: DBusBus {
        environment["DBUS_SESSION_BUS_ADDRESS"].map(DBusBus.address) ?? .session
    }

    private func onClickRules(_ configuration: Configuration) -> Int {
        configuration.ruleSet.rules.filter { $0.trigger == .onClick && $0.enabled }.count
    }

    // MARK: The notification server

    func notificationServer(_ bus: DBusConnection?, onClickRules: Int) async -> DoctorCheck {
        guard let bus else {
            return DoctorCheck(
                "notifications", .warn, "no session bus: no caller notifications and no buttons (automatic popups still open)",
                fix: "run callpop inside your desktop session (the unit and the autostart entry do)")
        }
        guard let server = await NotificationServerQuery.ask(bus) else {
            return DoctorCheck(
                "notifications", .warn, "no notification server runs: calls show no notification and on-click rules no button",
                fix: "start your desktop's notification server, or install one (dunst, mako, xfce4-notifyd, notification-daemon)")
        }
        return Self.serverCheck(server, onClickRules: onClickRules, dmenuInstalled: Self.onPath("dmenu", environment))
    }

    /// The verdict on a notification server (pure, for the tests).
    static func serverCheck(_ server: ServerCapabilities, onClickRules: Int, dmenuInstalled: Bool) -> DoctorCheck {
        let name = server.serverName.isEmpty ? "the notification server" : server.serverName
        let version = server.serverVersion.isEmpty ? "" : " \(server.serverVersion)"
        let noun = "\(name)\(version)"
        switch server.serverName.lowercased() {
        case "dunst":
            let menu = dmenuInstalled ? nil : "dunst's context menu runs dmenu, which is not installed: apt install suckless-tools"
            return DoctorCheck(
                "notifications", dmenuInstalled ? .ok : .warn, "\(noun): actions are in its context menu (a left click only closes)",
                fix: menu,
                how: "middle-click a call's notification to open its first on-click rule; `dunstctl context` (bind it to a key) "
                    + "lists them all; for a left click that opens it, put `mouse_left_click = do_action, close_current` "
                    + "in ~/.config/dunst/dunstrc")
        case "mako":
            return DoctorCheck(
                "notifications", .ok, "\(noun): a click runs the first on-click rule",
                how: "`makoctl menu dmenu` (bind it to a key) lists the others; in ~/.config/mako/config: on-button-left=invoke-default-action")
        default:
            break
        }
        if server.actions {
            return DoctorCheck("notifications", .ok, "\(noun) shows action buttons")
        }
        if server.bodyHyperlinks {
            return DoctorCheck(
                "notifications", onClickRules > 0 ? .warn : .ok, "\(noun) shows no buttons; on-click rules with a URL appear as links",
                how: "rules that run a program open with callpop open RULE (bind it to a key)")
        }
        return DoctorCheck(
            "notifications", onClickRules > 0 ? .warn : .ok, "\(noun) shows neither buttons nor links",
            fix: onClickRules > 0 ? "open on-click rules with callpop open RULE (bind it to a key), or use a server with actions" : nil)
    }

    // MARK: The opener

    func opener(_ configuration: Configuration) -> DoctorCheck {
        let urlRules = configuration.ruleSet.rules.contains { if case .url = $0.target { true } else { false } }
        if configuration.portal == .always {
            return DoctorCheck("opener", .ok, "URLs open through the desktop portal (org.freedesktop.portal.OpenURI)")
        }
        guard let program = configuration.ruleSet.launch.opener.first else {
            return DoctorCheck("opener", .fail, "no URL opener", fix: "set [launch] opener")
        }
        guard Self.onPath(program, environment) else {
            return DoctorCheck(
                "opener", urlRules ? .fail : .warn, "\(program) is not installed, so URL popups cannot open",
                fix: program == "xdg-open" ? "apt install xdg-utils" : "install \(program) or change [launch] opener")
        }
        guard program == "xdg-open" else { return DoctorCheck("opener", .ok, "\(program) opens URL popups") }
        if let browser = environment["BROWSER"], !browser.isEmpty {
            return DoctorCheck("opener", .ok, "xdg-open hands URLs to $BROWSER (\(UntrustedText.clean(browser, for: .logLine)))")
        }
        let handler = (try? ProgramOutput.run(["xdg-mime", "query", "default", "x-scheme-handler/https"], environment: environment))?.text ?? ""
        guard !handler.isEmpty else {
            return DoctorCheck(
                "opener", urlRules ? .warn : .ok, "xdg-open finds no default web browser for https links",
                fix: "choose one: xdg-settings set default-web-browser firefox-esr.desktop (or your browser's .desktop name)")
        }
        return DoctorCheck("opener", .ok, "xdg-open opens URLs in \(UntrustedText.clean(handler, for: .logLine))")
    }

    // MARK: Autostart

    func autostart() -> DoctorCheck {
        let tool = Autostart(
            locations: AutostartLocations(environment: environment), manager: SystemctlUserManager(environment: environment),
            environment: environment)
        let status = tool.status()
        if !status.broken.isEmpty {
            return DoctorCheck("autostart", .warn, "\(status.broken[0]) points to a file that is gone", fix: "callpop autostart disable, then callpop autostart enable")
        }
        switch status.enabled.count {
        case 0:
            return DoctorCheck(
                "autostart", .warn, "off: callpop does not start at login",
                fix: "callpop autostart enable (here it would use the \(status.preferred == .systemd ? "systemd unit" : "XDG entry"): \(status.reason))")
        case 1 where status.mismatched:
            return DoctorCheck(
                "autostart", .warn, "the \(status.enabled[0] == .systemd ? "systemd unit" : "XDG entry") is enabled, but on this desktop it may never start: \(status.reason)",
                fix: "callpop autostart enable (switches to the \(status.preferred == .systemd ? "systemd unit" : "XDG entry"))")
        case 1:
            return DoctorCheck("autostart", .ok, "the \(status.enabled[0] == .systemd ? "systemd unit" : "XDG entry") starts callpop at login: \(status.reason)")
        default:
            return DoctorCheck("autostart", .warn, "both the unit and the XDG entry are set up", fix: "callpop autostart enable keeps the right one")
        }
    }

    // MARK: The agent

    func agent(_ bus: DBusConnection?) async -> DoctorCheck {
        let start = "systemctl --user start callpop (or callpop run &), then look at journalctl --user -u callpop"
        guard let bus else { return DoctorCheck("agent", .fail, "cannot tell: no session bus", fix: start) }
        let status: String
        do {
            status = try await AgentBusClient(connection: bus).status()
        } catch {
            return DoctorCheck("agent", .fail, "not running: no calls are followed", fix: start)
        }
        return Self.agentCheck(statusJSON: status, now: WallClock.milliseconds())
    }

    /// The verdict on a running agent's status (pure, for the tests).
    static func agentCheck(statusJSON: String, now: Int64) -> DoctorCheck {
        struct Status: Decodable {
            var connection: String?
            var source: String?
            var started: String?
            var last_event: String?
            var dry_run: Bool?
        }
        guard let status = try? JSONDecoder().decode(Status.self, from: Data(statusJSON.utf8)) else {
            return DoctorCheck("agent", .warn, "running, but its status cannot be read")
        }
        var finding = "running"
        if let started = status.started.flatMap(WallClock.parseISO8601) {
            finding += " since \(WallClock.local(milliseconds: started)) (\(StatusReport.ago(now - started)))"
        }
        finding += ", \(status.source ?? "?") \(status.connection ?? "?")"
        if let last = status.last_event.flatMap(WallClock.parseISO8601) {
            finding += ", last call event \(StatusReport.ago(now - last)) ago"
        } else {
            finding += ", no call event yet"
        }
        if status.dry_run == true {
            return DoctorCheck("agent", .fail, finding + " — a dry run: it launches nothing", fix: "stop it and start it without --dry-run")
        }
        guard status.connection == "connected" else {
            return DoctorCheck("agent", .fail, finding, fix: "see journalctl --user -u callpop for why it is not connected")
        }
        return DoctorCheck("agent", .ok, finding)
    }

    static func onPath(_ program: String, _ environment: [String: String]) -> Bool {
        ProgramLookup.isInstalled(program, path: environment["PATH"])
    }
}
