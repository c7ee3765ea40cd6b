import CallPopSetup
import CallPopTestSupport
import Foundation
import Synchronization
import Testing

/// A temporary `$HOME` with its own XDG directories, the packaged unit and autostart
/// entry installed under its `$XDG_DATA_DIRS`, and optionally a "running" user manager
/// (its private socket path exists).
struct AutostartSandbox {
    let root: URL
    let environment: [String: String]

    init(userManager: Bool) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-autostart-\(UUID().uuidString)")
        let fm = FileManager.default
        for dir in ["home", "config", "data", "share/callpop", "share/systemd/user", "run"] {
            try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        let packaging = Fixtures.repositoryRoot.appendingPathComponent("packaging")
        try fm.copyItem(at: packaging.appendingPathComponent("callpop.desktop"), to: root.appendingPathComponent("share/callpop/callpop.desktop"))
        try fm.copyItem(at: packaging.appendingPathComponent("callpop.service"), to: root.appendingPathComponent("share/systemd/user/callpop.service"))
        if userManager {
            try fm.createDirectory(at: root.appendingPathComponent("run/systemd"), withIntermediateDirectories: true)
            try Data().write(to: root.appendingPathComponent("run/systemd/private"))
        }
        environment = [
            "HOME": root.appendingPathComponent("home").path,
            "XDG_CONFIG_HOME": root.appendingPathComponent("config").path,
            "XDG_DATA_HOME": root.appendingPathComponent("data").path,
            "XDG_DATA_DIRS": root.appendingPathComponent("share").path,
            "XDG_RUNTIME_DIR": root.appendingPathComponent("run").path,
        ]
    }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    var unit: String { path("share/systemd/user/callpop.service") }
    var entry: String { path("share/callpop/callpop.desktop") }
    var link: String { path("config/systemd/user/graphical-session.target.wants/callpop.service") }
    var userEntry: String { path("config/autostart/callpop.desktop") }

    /// Where the symbolic link at `path` points, or nil when there is none.
    func linkTarget(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    func exists(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)) != nil
    }

    func tool(_ manager: RecordingManager, extra: [String: String] = [:]) -> Autostart {
        Autostart(
            locations: AutostartLocations(environment: environment), manager: manager,
            environment: environment.merging(extra) { $1 })
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// Records `systemctl --user` calls; `is-active` answers as configured, for the service and
/// for `graphical-session.target`, and `show` gives the target's ActiveEnterTimestampMonotonic.
final class RecordingManager: UserServiceManager {
    private let log = Mutex<[[String]]>([])
    let active: Bool
    let targetActive: Bool
    let targetEntered: String

    init(active: Bool = false, targetActive: Bool = true, targetEntered: String = "0") {
        self.active = active
        self.targetActive = targetActive
        self.targetEntered = targetEntered
    }

    /// The calls that change something (the questions about the target left out).
    var calls: [[String]] { log.withLock { $0 }.filter { !$0.contains(AutostartLocations.wantedBy) } }

    func systemctl(_ arguments: [String]) -> Int32? {
        log.withLock { $0.append(arguments) }
        guard arguments.first == "is-active" else { return 0 }
        let up = arguments.last == AutostartLocations.wantedBy ? targetActive : active
        return up ? 0 : 3
    }

    func output(_ arguments: [String]) -> String? {
        log.withLock { $0.append(arguments) }
        return arguments.first == "show" ? targetEntered : nil
    }
}

@Suite("callpop autostart with a temporary HOME")
struct AutostartTests {
    @Test("picks the systemd unit when a user manager runs, links it like systemctl enable, starts it")
    func systemdWhenManagerRuns() throws {
        let box = try AutostartSandbox(userManager: true)
        defer { box.remove() }
        let manager = RecordingManager()
        let tool = box.tool(manager)
        #expect(tool.preferredMethod == .systemd)
        let log = try tool.enable()
        #expect(box.linkTarget(box.link) == box.unit)
        #expect(!box.exists(box.userEntry))
        #expect(manager.calls == [["daemon-reload"], ["start", "--no-block", "callpop.service"]])
        #expect(log == [
            "using the systemd unit: this session has reached graphical-session.target, so systemd starts callpop with every graphical session",
            "created \(box.link) -> \(box.unit)",
            "starting callpop.service (see `callpop status`; logs: journalctl --user -u callpop)",
        ])
        let status = tool.status()
        #expect(status.enabled == [.systemd])
        #expect(status.isEnabled)
        #expect(status.serviceActive == false)
    }

    @Test("picks the XDG autostart entry without a user manager and asks no manager anything")
    func xdgWithoutManager() throws {
        let box = try AutostartSandbox(userManager: false)
        defer { box.remove() }
        let manager = RecordingManager()
        let tool = box.tool(manager)
        #expect(tool.preferredMethod == .xdg)
        _ = try tool.enable()
        #expect(box.linkTarget(box.userEntry) == box.entry)
        #expect(!box.exists(box.link))
        #expect(manager.calls.isEmpty)
        let status = tool.status()
        #expect(status.enabled == [.xdg])
        #expect(status.serviceActive == nil)
        #expect(status.lines == [
            "autostart: enabled with the XDG autostart entry",
            "this desktop: the XDG entry starts callpop here: no systemd user manager runs, so the desktop's own autostart starts callpop",
        ])
    }

    @Test("enabling twice changes nothing the second time and says so")
    func idempotent() throws {
        let box = try AutostartSandbox(userManager: false)
        defer { box.remove() }
        let tool = box.tool(RecordingManager())
        _ = try tool.enable()
        let second = try tool.enable()
        #expect(second.dropFirst().first == "already enabled: \(box.userEntry) -> \(box.entry)")
        #expect(box.linkTarget(box.userEntry) == box.entry)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("config/autostart")) == ["callpop.desktop"])
    }

    @Test("switching methods removes the other one: never both")
    func neverBoth() throws {
        let box = try AutostartSandbox(userManager: true)
        defer { box.remove() }
        let manager = RecordingManager()
        let tool = box.tool(manager)
        _ = try tool.enable(.xdg)
        #expect(box.exists(box.userEntry))
        let log = try tool.enable(.systemd, now: false)
        #expect(log.first == "removed \(box.userEntry)")
        #expect(!box.exists(box.userEntry))
        #expect(box.linkTarget(box.link) == box.unit)
        _ = try tool.enable(.xdg)
        #expect(!box.exists(box.link))
        #expect(box.linkTarget(box.userEntry) == box.entry)
        // Removing the unit link tells the manager; --no-now never starts anything.
        #expect(manager.calls == [["daemon-reload"], ["daemon-reload"]])
        #expect(tool.status().enabled == [.xdg])
    }

    @Test("status reports a conflict made by hand; disable removes both and stops the running service")
    func disableRemovesBoth() throws {
        let box = try AutostartSandbox(userManager: true)
        defer { box.remove() }
        let manager = RecordingManager(active: true)
        let fm = FileManager.default
        try fm.createDirectory(atPath: box.path("config/autostart"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: box.path("config/systemd/user/graphical-session.target.wants"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: box.link, withDestinationPath: box.unit)
        try fm.copyItem(atPath: box.entry, toPath: box.userEntry)
        let tool = box.tool(manager)
        let before = tool.status()
        #expect(before.enabled == [.systemd, .xdg])
        #expect(!before.isEnabled)
        #expect(before.lines.first == "autostart: both the systemd unit and the XDG entry are set up; run `callpop autostart enable` to keep one")
        let log = try tool.disable()
        #expect(log == ["removed \(box.userEntry)", "removed \(box.link)", "stopped callpop.service"])
        #expect(!box.exists(box.link) && !box.exists(box.userEntry))
        #expect(manager.calls.contains(["stop", "callpop.service"]))
        #expect(try tool.disable(now: false) == ["autostart was already disabled"])
    }

    @Test("a link left behind by a removed package is reported as broken, not enabled")
    func brokenLink() throws {
        let box = try AutostartSandbox(userManager: false)
        defer { box.remove() }
        let tool = box.tool(RecordingManager())
        _ = try tool.enable(.xdg)
        try FileManager.default.removeItem(atPath: box.entry)
        let status = tool.status()
        #expect(status.enabled == [])
        #expect(status.broken == [box.userEntry])
        #expect(!status.isEnabled)
    }

    @Test("without the installed entry, enable fails with a message that says what to install")
    func entryMissing() throws {
        let box = try AutostartSandbox(userManager: false)
        defer { box.remove() }
        try FileManager.default.removeItem(atPath: box.entry)
        #expect {
            _ = try box.tool(RecordingManager()).enable(.xdg)
        } throws: { error in
            (error as? SetupError)?.message.hasSuffix(": install the callpop package") == true
        }
        #expect(!box.exists(box.userEntry))
    }

    @Test("locations follow HOME when XDG variables are unset or relative")
    func locationsFromHome() {
        let locations = AutostartLocations(environment: ["HOME": "/home/alice", "XDG_CONFIG_HOME": "relative/dir"])
        #expect(locations.userEntry == "/home/alice/.config/autostart/callpop.desktop")
        #expect(locations.enablementLink == "/home/alice/.config/systemd/user/graphical-session.target.wants/callpop.service")
        #expect(locations.dataDirs == ["/usr/local/share", "/usr/share"])
        #expect(locations.runtimeDir == nil)
        #expect(!locations.userManagerRuns)
    }

    @Test("the enablement link goes where the packaged unit's WantedBy= says")
    func linkMatchesUnit() throws {
        let unit = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("packaging/callpop.service"), encoding: .utf8)
        let wantedBy = unit.split(separator: "\n").filter { $0.hasPrefix("WantedBy=") }
        #expect(wantedBy == ["WantedBy=\(AutostartLocations.wantedBy)"])
        let entry = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("packaging/callpop.desktop"), encoding: .utf8)
        for line in ["NoDisplay=true", "TryExec=callpop", "Exec=callpop run"] {
            #expect(entry.split(separator: "\n").contains(Substring(line)), "callpop.desktop lacks \(line)")
        }
        // Chosen where systemd does not run the session, it must start also where it runs the autostart.
        #expect(!entry.contains("\nX-systemd-skip"))
    }

    /// Xfce, MATE, i3 and others never reach graphical-session.target: a unit wanted by it
    /// would never start there, so the XDG entry is chosen, and status says why.
    @Test("a session that does not reach graphical-session.target gets the XDG entry, and status says why")
    func xdgWhereTheTargetIsNotReached() throws {
        let box = try AutostartSandbox(userManager: true)
        defer { box.remove() }
        let manager = RecordingManager(targetActive: false)
        let tool = box.tool(manager, extra: ["DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "XFCE"])
        #expect(tool.preferredMethod == .xdg)
        let log = try tool.enable()
        #expect(log.first == "using the XDG autostart entry: this session (XFCE) does not start graphical-session.target, "
                + "so a unit wanted by it would never start; the desktop's autostart runs callpop")
        #expect(box.linkTarget(box.userEntry) == box.entry)
        #expect(!box.exists(box.link))
        #expect(manager.calls.isEmpty, "nothing for the user manager to do: \(manager.calls)")
        let status = tool.status()
        #expect(status.lines.contains { $0.hasPrefix("this desktop: the XDG entry starts callpop here: this session (XFCE) does not start") })
        #expect(!status.mismatched)
        // A unit enabled by hand on such a desktop is called out: it would never start.
        _ = try tool.enable(.systemd, now: false)
        let wrong = tool.status()
        #expect(wrong.mismatched)
        #expect(wrong.lines.contains("note: that is not what is enabled; run `callpop autostart enable` to switch, or it may never start"))
    }

    @Test("from a terminal outside the desktop, a target reached earlier still means the unit")
    func targetReachedInAnEarlierSession() throws {
        let box = try AutostartSandbox(userManager: true)
        defer { box.remove() }
        let earlier = box.tool(RecordingManager(targetActive: false, targetEntered: "10937423"))
        #expect(earlier.preferredMethod == .systemd)
        #expect(earlier.session.reason.hasPrefix("graphical-session.target was reached in an earlier session"))
        let never = box.tool(RecordingManager(targetActive: false, targetEntered: "0"))
        #expect(never.preferredMethod == .xdg)
        #expect(never.session.reason.contains("run `callpop autostart enable` again from a terminal on your desktop"))
    }
}
