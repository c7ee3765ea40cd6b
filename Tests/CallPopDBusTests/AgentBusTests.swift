import Foundation
import Synchronization
import Testing
@testable import CallPopDBus

/// What the runtime would do, recorded.
final class RecordingControl: AgentControlHandler {
    let opened = Mutex<[String]>([])
    let reloads = Mutex(0)
    let reloadErrors: String?

    init(reloadErrors: String? = nil) {
        self.reloadErrors = reloadErrors
    }

    func status() async throws -> String {
        #"{"version":"0.1.0","config":"/home/u/.config/callpop/config.toml","pbx":"connected","calls":[]}"#
    }

    func reload() async throws {
        reloads.withLock { $0 += 1 }
        if let reloadErrors { throw DBusError(.refused, reloadErrors) }
    }

    func open(rule: String) async throws {
        guard rule == "crm" else { throw DBusError(.refused, "no on-click rule named “\(rule)”") }
        opened.withLock { $0.append(rule) }
    }
}

@Suite(.enabled(if: TestEnvironment.canRunBusTests, "needs dbus-daemon"), .timeLimit(.minutes(1)))
struct AgentBusTests {
    static let badConfig = "config.toml:3:1: unknown key “popup”\nconfig.toml:9:7: rule “crm” has no url or app"

    @Test func statusReloadOpenRoundTrip() async throws {
        try await withTestBus { bus in
            let agent = try await DBusConnection.connect(to: .address(bus.address))
            let control = RecordingControl()
            _ = try await AgentBusService.start(connection: agent, handler: control)
            let client = try await AgentBusClient.connect(to: .address(bus.address))

            #expect(try await client.status() == (try await control.status()))
            try await client.reload()
            #expect(control.reloads.withLock { $0 } == 1)
            try await client.open(rule: "crm")
            #expect(control.opened.withLock { $0 } == ["crm"])

            let refused = await #expect(throws: DBusError.self) { try await client.open(rule: "nope") }
            #expect(refused == DBusError(.refused, "no on-click rule named “nope”"))
        }
    }

    /// A bad configuration comes back as a D-Bus error carrying every error line.
    @Test func reloadRejectionCarriesConfigErrors() async throws {
        try await withTestBus { bus in
            let agent = try await DBusConnection.connect(to: .address(bus.address))
            _ = try await AgentBusService.start(connection: agent, handler: RecordingControl(reloadErrors: Self.badConfig))
            let raw = try await DBusConnection.connect(to: .address(bus.address))
            let error = await #expect(throws: DBusError.self) {
                try await raw.call(.methodCall(destination: AgentInterface.busName, path: AgentInterface.objectPath,
                                               interface: AgentInterface.interface, member: "Reload"))
            }
            #expect(error?.name == "io.github.callpop.Agent1.Error.ReloadFailed")
            #expect(error?.message == Self.badConfig)

            let client = AgentBusClient(connection: raw)
            let refused = await #expect(throws: DBusError.self) { try await client.reload() }
            #expect(refused == DBusError(.refused, Self.badConfig))
        }
    }

    @Test func secondInstanceFailsClearly() async throws {
        try await withTestBus { bus in
            let first = try await DBusConnection.connect(to: .address(bus.address))
            let service = try await AgentBusService.start(connection: first, handler: RecordingControl())
            let second = try await DBusConnection.connect(to: .address(bus.address))
            let error = await #expect(throws: DBusError.self) {
                try await AgentBusService.start(connection: second, handler: RecordingControl())
            }
            #expect(error?.code == .alreadyRunning)
            #expect(error?.message == "another callpop agent is already running: it owns io.github.callpop.Agent on the "
                    + "session bus (see `callpop status`; stop it before starting a new one)")
            // The first keeps serving; once it stops, a new one may start.
            #expect(try await first.nameOwner(AgentInterface.busName) == first.uniqueName)
            await service.stop()
            _ = try await AgentBusService.start(connection: second, handler: RecordingControl())
            #expect(try await first.nameOwner(AgentInterface.busName) == second.uniqueName)
        }
    }

    @Test func clientWithoutAgentSaysSo() async throws {
        try await withTestBus { bus in
            let client = try await AgentBusClient.connect(to: .address(bus.address))
            let error = await #expect(throws: DBusError.self) { try await client.status() }
            #expect(error?.code == .notRunning)
            #expect(error?.message.hasPrefix("no callpop agent is running on this session bus") == true)
        }
    }

    @Test func decisionSignalReachesListeners() async throws {
        try await withTestBus { bus in
            let agent = try await DBusConnection.connect(to: .address(bus.address))
            let service = try await AgentBusService.start(connection: agent, handler: RecordingControl())
            let listener = try await DBusConnection.connect(to: .address(bus.address))
            let decisions = try await listener.signals(
                matching: DBusMatchRule(sender: AgentInterface.busName, interface: AgentInterface.interface, member: "Decision"))
            let json = #"{"call":"c1","rule":"crm","fired":true,"reason":"ringing"}"#
            service.emitDecision(json: json)
            let signal = try await first(of: decisions, "the Decision signal")
            #expect(signal.arguments == [.string(json)])
            #expect(signal.path == AgentInterface.objectPath)
            #expect(signal.sender == agent.uniqueName)
        }
    }

    /// An independent client (libdbus' own `dbus-send`) sees the same interface.
    @Test func dbusSendSeesTheInterface() async throws {
        let dbusSend = try #require(TestEnvironment.which("dbus-send"), "dbus-send is missing: apt-get install dbus-bin")
        try await withTestBus { bus in
            let agent = try await DBusConnection.connect(to: .address(bus.address))
            _ = try await AgentBusService.start(connection: agent, handler: RecordingControl())
            func run(_ arguments: [String]) throws -> String {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: dbusSend)
                process.arguments = ["--bus=\(bus.address)", "--print-reply", "--dest=io.github.callpop.Agent"] + arguments
                let output = Pipe()
                process.standardOutput = output
                process.standardError = output
                try process.run()
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return String(decoding: data, as: UTF8.self)
            }
            let status = try run(["/io/github/callpop/Agent", "io.github.callpop.Agent1.Status"])
            #expect(status.contains(#"string "{"version":"0.1.0","#))
            let xml = try run(["/io/github/callpop/Agent", "org.freedesktop.DBus.Introspectable.Introspect"])
            #expect(xml.contains(#"<method name="Open">"#))
            #expect(xml.contains(#"<signal name="Decision">"#))
            let parent = try run(["/io/github/callpop", "org.freedesktop.DBus.Introspectable.Introspect"])
            #expect(parent.contains(#"<node name="Agent"/>"#))
        }
    }
}
