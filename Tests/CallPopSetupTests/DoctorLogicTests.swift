import CallPopCore
import CallPopDBus
import Foundation
import Testing
@testable import CallPopSetup

/// The doctor's verdicts, without a PBX or a bus.
@Suite("callpop doctor: verdicts")
struct DoctorLogicTests {
    @Test func notificationServers() {
        let gnome = Doctor.serverCheck(ServerCapabilities(["actions", "body", "body-markup"], serverName: "gnome-shell", serverVersion: "43.9"), onClickRules: 1, dmenuInstalled: false)
        #expect(gnome == DoctorCheck("notifications", .ok, "gnome-shell 43.9 shows action buttons"))
        let dunst = Doctor.serverCheck(ServerCapabilities(["actions", "body"], serverName: "dunst", serverVersion: "1.9.0"), onClickRules: 1, dmenuInstalled: true)
        #expect(dunst.verdict == .ok)
        #expect(dunst.finding == "dunst 1.9.0: actions are in its context menu (a left click only closes)")
        #expect(dunst.how?.contains("mouse_left_click = do_action, close_current") == true)
        let noMenu = Doctor.serverCheck(ServerCapabilities(["actions"], serverName: "dunst"), onClickRules: 1, dmenuInstalled: false)
        #expect(noMenu.verdict == .warn)
        #expect(noMenu.fix == "dunst's context menu runs dmenu, which is not installed: apt install suckless-tools")
        let mako = Doctor.serverCheck(ServerCapabilities(["actions"], serverName: "mako"), onClickRules: 2, dmenuInstalled: false)
        #expect(mako.how?.contains("makoctl menu") == true)
        let links = Doctor.serverCheck(ServerCapabilities(["body-hyperlinks"], serverName: "odd"), onClickRules: 1, dmenuInstalled: false)
        #expect(links.verdict == .warn)
        let nothing = Doctor.serverCheck(ServerCapabilities(["body"], serverName: "bare"), onClickRules: 0, dmenuInstalled: false)
        #expect(nothing == DoctorCheck("notifications", .ok, "bare shows neither buttons nor links"))
    }

    @Test func theRunningAgent() {
        let now: Int64 = 1_733_000_000_000
        let ok = Doctor.agentCheck(
            statusJSON: #"{"version":"0.1.0","source":"ami","connection":"connected","dry_run":false,"started":"2024-11-30T20:00:00Z","last_event":"2024-11-30T20:50:00Z"}"#,
            now: now)
        #expect(ok.verdict == .ok)
        #expect(ok.finding.hasPrefix("running since "))
        #expect(ok.finding.hasSuffix("(53 min), ami connected, last call event 3 min ago"), "\(ok.finding)")
        let down = Doctor.agentCheck(statusJSON: #"{"source":"sip","connection":"disconnected","started":"2024-11-30T20:00:00Z"}"#, now: now)
        #expect(down.verdict == .fail)
        #expect(down.finding.hasSuffix("sip disconnected, no call event yet"))
        let dry = Doctor.agentCheck(statusJSON: #"{"source":"ami","connection":"connected","dry_run":true}"#, now: now)
        #expect(dry.verdict == .fail && dry.finding.contains("a dry run"))
        #expect(Doctor.agentCheck(statusJSON: "garbage", now: now).verdict == .warn)
    }

    @Test func sipProbeVerdicts() {
        let kind = PBXProbe.Kind.sip("sip:201@pbx.example.com")
        let accepted = PBXProbe.verdicts(
            [SourceReport(.info, "subscribing", connection: .connecting), SourceReport(.info, "subscribed to the calls of sip:201@pbx.example.com for 3600 s", connection: .connected)],
            thrown: nil, kind: kind, within: .seconds(5))
        #expect(accepted.map(\.verdict) == [.ok, .ok, .ok])
        #expect(accepted.map(\.subject) == ["PBX", "subscription", "extension"])
        let refused = PBXProbe.verdicts(
            [SourceReport(.error, "the SIP server refused the subscription (403 Forbidden); next attempt in 5 min", connection: .failed)],
            thrown: nil, kind: kind, within: .seconds(5))
        #expect(refused.map(\.verdict) == [.ok, .fail])
        let silent = PBXProbe.verdicts(
            [SourceReport(.warning, "no answer from the SIP server; subscribing again in 2 s", connection: .disconnected)],
            thrown: nil, kind: kind, within: .seconds(5))
        #expect(silent == [DoctorCheck(
            "PBX", .fail, "no answer from the SIP server",
            fix: "check that the SIP server runs and that [pbx] uri (and transport, outbound_proxy) reach it")])
    }

    @Test func theConfiguredEventSource() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-doctor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("events").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(PBXProbe.eventsCheck(fifo).verdict == .ok)
        let file = directory.appendingPathComponent("events.ndjson").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(PBXProbe.eventsCheck(file).verdict == .warn)
        let missing = PBXProbe.eventsCheck(directory.appendingPathComponent("nope").path)
        #expect(missing.verdict == .fail)
        #expect(missing.fix?.hasPrefix("create it: mkfifo -m 600 ") == true)
    }

    @Test func theReportAndItsExitStatus() {
        let checks = [
            DoctorCheck("configuration", .ok, "fine"),
            DoctorCheck("agent", .fail, "not running", fix: "start it"),
            DoctorCheck("notifications", .warn, "dunst", how: "middle-click"),
        ]
        #expect(checks.report == """
            ok    configuration  fine
            FAIL  agent          not running
                                 fix: start it
            warn  notifications  dunst
                                 how: middle-click

            Call popups do not work yet: fix the 1 FAIL line above, then run callpop doctor again.
            """)
        #expect(checks.exitStatus == 1)
        #expect(Array(checks.dropFirst(2)).exitStatus == 0)
        #expect(Array(checks.prefix(1)).report.hasSuffix("Call popups work."))
    }
}

@Suite("callpop status for people")
struct StatusReportTests {
    @Test func theStatusInWords() {
        let json = #"{"version":"0.1.0","config":["/home/a/.config/callpop/config.toml"],"source":"ami","connection":"connected","dry_run":false,"#
            + #""rules":["crm","new-ticket"],"started":"2024-11-30T20:00:00Z","last_event":"2024-11-30T20:50:00Z","#
            + #""calls":[{"call":"c1","direction":"incoming","state":"ringing","number":"+442071234567","name":"John\u202eDoe","colleague":false},"#
            + #"{"call":"c2","direction":"outgoing","state":"answered","number":"202","name":"","colleague":true}]}"#
        let text = StatusReport.render(json: json, now: 1_733_000_000_000)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("callpop 0.1.0 is running since "))
        #expect(lines[0].hasSuffix(" (53 min)"))
        #expect(lines[1] == "configuration: /home/a/.config/callpop/config.toml")
        #expect(lines[2] == "PBX: ami — connected")
        #expect(lines[3].hasPrefix("last call event: ") && lines[3].hasSuffix("(3 min ago)"))
        #expect(lines[4] == "rules: crm, new-ticket")
        #expect(lines[5] == "live calls:")
        #expect(lines[6] == "  DIRECTION  STATE     NUMBER         NAME     COLLEAGUE  CALL")
        #expect(lines[7] == "  incoming   ringing   +442071234567  JohnDoe  no         c1", "the direction override is dropped")
        #expect(lines[8] == "  outgoing   answered  202            -        yes        c2")
        // Anything else is shown as it came.
        #expect(StatusReport.render(json: "not json") == "not json")
    }
}
