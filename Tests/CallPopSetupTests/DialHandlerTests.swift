import CallPopSetup
import CallPopTestSupport
import Foundation
import Testing

/// A user's desktop in a temporary directory: HOME, XDG_CONFIG_HOME, XDG_DATA_HOME,
/// XDG_STATE_HOME and XDG_DATA_DIRS of its own, no desktop environment, and a stub
/// `callpop` that records how it was started. The real `xdg-mime` and `xdg-open` run in it.
final class TemporaryDesktop {
    let root: URL
    var environment: [String: String]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-handler-\(UUID().uuidString)")
        for directory in ["home", "config", "data/applications", "state", "system/applications", "bin"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        environment = [
            "HOME": root.path + "/home", "XDG_CONFIG_HOME": root.path + "/config", "XDG_DATA_HOME": root.path + "/data",
            "XDG_STATE_HOME": root.path + "/state", "XDG_DATA_DIRS": root.path + "/system",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
        ]
        // Records its arguments one a line, as `callpop dial` would receive them.
        try write("#!/bin/sh\nprintf '%s\\n' \"$@\" > \"\(root.path)/recorded\"\n", to: "bin/callpop", mode: 0o755)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var stub: String { root.path + "/bin/callpop" }
    var handlers: SchemeHandlers { SchemeHandlers(environment: environment) }

    func write(_ text: String, to path: String, mode: Int = 0o644) throws {
        let url = root.appendingPathComponent(path)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    func read(_ path: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Another installed program that handles `tel:` links (a softphone).
    func installSoftphone(makeDefault: Bool) throws {
        try write("""
            [Desktop Entry]
            Type=Application
            Name=Softphone
            Exec=\(stub)-softphone %u
            MimeType=x-scheme-handler/tel;
            """, to: "system/applications/org.example.Softphone.desktop")
        try write("#!/bin/sh\n", to: "bin/callpop-softphone", mode: 0o755)
        if makeDefault { try run("xdg-mime", "default", "org.example.Softphone.desktop", "x-scheme-handler/tel") }
    }

    /// Runs a program in this desktop; returns what it printed.
    @discardableResult
    func run(_ arguments: String..., extra: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CommandFailed(command: arguments.joined(separator: " "), status: process.terminationStatus, output: text)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func queryDefault(_ scheme: String) throws -> String {
        try run("xdg-mime", "query", "default", "x-scheme-handler/\(scheme)")
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "\(command) exited with \(status): \(output)" }
    }
}

/// The handler entry, and `callpop handler enable|disable|status` against the real xdg-utils.
@Suite(.serialized) struct DialHandlerTests {
    @Test func packagedEntryIsValidAndIsWhatTheCodeWrites() throws {
        let packaged = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("packaging/callpop-dial.desktop"), encoding: .utf8)
        #expect(try DialHandlerEntry.text() == packaged)
        #expect(packaged.contains("\nMimeType=x-scheme-handler/tel;x-scheme-handler/callto;x-scheme-handler/sip;\n"))
        #expect(packaged.contains("\nExec=callpop dial %u\n"))
        #expect(packaged.contains("\nNoDisplay=true\n"))
        let desktop = try TemporaryDesktop()
        #expect(try desktop.run("desktop-file-validate", Fixtures.repositoryRoot.path + "/packaging/callpop-dial.desktop") == "")
        // A user copy for callpop in a directory with a space: quoted, and still valid.
        try desktop.write(try DialHandlerEntry.text(executable: "/opt/call pop/bin/callpop"), to: "data/applications/callpop-dial.desktop")
        #expect(desktop.read("data/applications/callpop-dial.desktop")?.contains("\nExec=\"/opt/call pop/bin/callpop\" dial %u\n") == true)
        #expect(try desktop.run("desktop-file-validate", desktop.root.path + "/data/applications/callpop-dial.desktop") == "")
    }

    @Test func executablePathsThatCannotBeQuotedAreRefused() {
        for path in ["relative/callpop", "/opt/$HOME/callpop", "/opt/a\"b/callpop", "/opt/50%/callpop", "/opt/x\ny/callpop", "/opt/a\\b"] {
            #expect(throws: SetupError.self, "\(path.debugDescription)") { try DialHandlerEntry.text(executable: path) }
        }
    }

    /// No handler before: enable writes a user copy of the entry (none is installed) and
    /// makes it the default of all three schemes, as `xdg-mime query default` sees it.
    @Test func enableMakesCallpopTheDefault() throws {
        let desktop = try TemporaryDesktop()
        let before = try desktop.handlers.status()
        #expect(before.schemes.map(\.handler) == [nil, nil, nil])
        #expect(before.entry == nil)

        let report = try desktop.handlers.enable(force: false, executable: desktop.stub)
        #expect(report.isEnabled)
        #expect(report.conflicts.isEmpty)
        #expect(report.wroteEntry == desktop.root.path + "/data/applications/callpop-dial.desktop")
        let entry = desktop.root.path + "/data/applications/callpop-dial.desktop"
        #expect(report.lines == ["tel:    callpop", "callto: callpop", "sip:    callpop", "entry:  \(entry)", "wrote \(entry)"])
        for scheme in ["tel", "callto", "sip"] {
            #expect(try desktop.queryDefault(scheme) == "callpop-dial.desktop")
        }
        #expect(try desktop.handlers.status().isEnabled)
        // Enabling again changes nothing and writes nothing.
        #expect(try desktop.handlers.enable(force: false, executable: desktop.stub).wroteEntry == nil)
    }

    /// The installed entry really starts `callpop dial URI`: `xdg-open` of a link reaches the
    /// stub with the URI as one argument, unexpanded.
    @Test func xdgOpenOfALinkRunsCallpopDial() throws {
        let desktop = try TemporaryDesktop()
        _ = try desktop.handlers.enable(force: false, executable: desktop.stub)
        let link = "tel:+442071234567;ext=2%3B$(id)"
        try desktop.run("xdg-open", link, extra: ["WAYLAND_DISPLAY": "callpop-test"])
        #expect(desktop.read("recorded") == "dial\n\(link)\n")
    }

    /// Another program handles tel: links: enable reports it and changes nothing at all.
    @Test func anotherHandlerIsReportedNotReplaced() throws {
        let desktop = try TemporaryDesktop()
        try desktop.installSoftphone(makeDefault: true)
        let mimeApps = desktop.read("config/mimeapps.list")
        let report = try desktop.handlers.enable(force: false, executable: desktop.stub)
        #expect(!report.isEnabled)
        #expect(report.conflicts.map(\.scheme) == ["tel:"])
        #expect(report.conflicts.first?.handler == "org.example.Softphone.desktop")
        #expect(report.lines.last?.hasPrefix("nothing changed: links already open with another program (tel: org.example.Softphone.desktop)") == true)
        #expect(try desktop.queryDefault("tel") == "org.example.Softphone.desktop")
        #expect(desktop.read("config/mimeapps.list") == mimeApps)
        #expect(desktop.read("data/applications/callpop-dial.desktop") == nil)
    }

    /// `--force` replaces it and remembers it; `disable` gives it back, and takes callpop's
    /// defaults (and its user copy of the entry) away from the other schemes.
    @Test func forceReplacesAndDisableGivesBack() throws {
        let desktop = try TemporaryDesktop()
        try desktop.installSoftphone(makeDefault: true)
        let forced = try desktop.handlers.enable(force: true, executable: desktop.stub)
        #expect(forced.isEnabled)
        #expect(forced.schemes.first?.previous == "org.example.Softphone.desktop")
        #expect(try desktop.queryDefault("tel") == "callpop-dial.desktop")
        #expect(desktop.read("state/callpop/previous-handlers") == "x-scheme-handler/tel=org.example.Softphone.desktop\n")

        let disabled = try desktop.handlers.disable()
        #expect(disabled.restored.map(\.handler) == ["org.example.Softphone.desktop"])
        #expect(try desktop.queryDefault("tel") == "org.example.Softphone.desktop")
        #expect(try desktop.queryDefault("callto") == "")
        #expect(try desktop.queryDefault("sip") == "")
        #expect(disabled.schemes.map(\.handler) == ["org.example.Softphone.desktop", nil, nil])
        #expect(desktop.read("state/callpop/previous-handlers") == nil)
        #expect(desktop.read("data/applications/callpop-dial.desktop") == nil)
    }

    /// With the package's entry installed, disable leaves it (and other defaults) alone.
    @Test func disableKeepsOtherDefaultsAndThePackagedEntry() throws {
        let desktop = try TemporaryDesktop()
        try desktop.write(try DialHandlerEntry.text(executable: desktop.stub), to: "system/applications/callpop-dial.desktop")
        try desktop.write("[Default Applications]\ntext/html=firefox.desktop\n", to: "config/mimeapps.list")
        let enabled = try desktop.handlers.enable(force: false, executable: desktop.stub)
        #expect(enabled.wroteEntry == nil)
        #expect(enabled.entry == desktop.root.path + "/system/applications/callpop-dial.desktop")
        #expect(enabled.schemes.map(\.isChosen) == [true, true, true])
        let disabled = try desktop.handlers.disable()
        #expect(desktop.read("config/mimeapps.list") == "[Default Applications]\ntext/html=firefox.desktop\n")
        #expect(desktop.read("system/applications/callpop-dial.desktop") != nil)
        // The installed entry is still the only program for these links, and the report says so.
        #expect(disabled.schemes.map(\.isChosen) == [false, false, false])
        #expect(disabled.lines.first == "tel:    callpop (no default is set; it is the installed program for these links)")
    }

    /// A remembered-handlers file with garbage in it gives nothing back that is not a desktop id.
    @Test func rememberedHandlersAreValidated() throws {
        let desktop = try TemporaryDesktop()
        try FileManager.default.createDirectory(at: desktop.root.appendingPathComponent("state/callpop"), withIntermediateDirectories: true)
        try desktop.write(
            "x-scheme-handler/tel=--evil.desktop\nx-scheme-handler/sip=a b.desktop\nx-scheme-handler/callto=ok.desktop\ntext/html=x.desktop\n",
            to: "state/callpop/previous-handlers")
        let report = try desktop.handlers.status()
        #expect(report.schemes.map(\.previous) == [nil, "ok.desktop", nil])
    }
}
