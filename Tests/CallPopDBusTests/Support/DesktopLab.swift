import CallPopTestSupport
import Foundation
import Glibc
@testable import CallPopDBus

/// A real X session for notification servers: Xvfb on a display of its own, and stock dunst
/// (Debian's /etc/xdg/dunst/dunstrc, with only its `dmenu` pointed at a recorder) on a private
/// bus, printing every notification it receives (`dunst -print`).
enum DesktopLab {
    /// Whether Xvfb and dunst are installed; on CI a missing one fails instead of skipping.
    static let available: Bool = {
        let present = ["Xvfb", "dunst", "dunstctl"].allSatisfy { TestEnvironment.which($0) != nil }
        if !present, !TestEnvironment.isCI {
            print("Skipping the X session tests: apt-get install xvfb dunst (scripts/deps.sh --test)")
        }
        return present || TestEnvironment.isCI
    }()

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// Xvfb on the first free display; stopped on `stop()`.
    final class Display: Sendable {
        let name: String
        private let process: Process

        init() throws {
            guard let xvfb = TestEnvironment.which("Xvfb") else { throw StartError(description: "Xvfb is not installed") }
            let output = Pipe()
            process = Process()
            process.executableURL = URL(fileURLWithPath: xvfb)
            // -displayfd: Xvfb picks a free display and prints its number once it accepts clients.
            process.arguments = ["-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp"]
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let number = TestBus.firstLine(of: output)
            guard !number.isEmpty else {
                process.terminate()
                throw StartError(description: "Xvfb exited without a display number")
            }
            name = ":" + number
        }

        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        deinit { stop() }
    }

    /// Stock dunst on `display` and `bus`, its context menu answered by a recording dmenu.
    final class Dunst: Sendable {
        let directory: URL
        let printed: URL
        private let process: Process
        private let environment: [String: String]

        init(display: Display, bus: TestBus, directory: URL) async throws {
            guard let dunst = TestEnvironment.which("dunst") else { throw StartError(description: "dunst is not installed") }
            self.directory = directory
            printed = directory.appendingPathComponent("dunst-print.log")
            // The stock configuration, with one change: the menu is our recorder.
            let stock = try String(contentsOfFile: "/etc/xdg/dunst/dunstrc", encoding: .utf8)
            let dmenu = directory.appendingPathComponent("dmenu")
            try """
                #!/bin/sh
                cat > '\(directory.path)/menu.partial'
                mv '\(directory.path)/menu.partial' '\(directory.path)/menu.txt'
                grep -F -- "$(cat '\(directory.path)/choice')" '\(directory.path)/menu.txt' | head -n 1
                """.write(to: dmenu, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dmenu.path)
            let configured = stock.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.trimmingCharacters(in: .whitespaces).hasPrefix("dmenu =") ? "    dmenu = \(dmenu.path) -p dunst:" : String(line)
            }.joined(separator: "\n")
            let config = directory.appendingPathComponent("dunstrc")
            try configured.write(to: config, atomically: true, encoding: .utf8)
            environment = [
                "DISPLAY": display.name, "DBUS_SESSION_BUS_ADDRESS": bus.address, "HOME": directory.path,
                "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path, "PATH": "/usr/bin:/bin",
            ]
            _ = FileManager.default.createFile(atPath: printed.path, contents: nil)
            process = Process()
            process.executableURL = URL(fileURLWithPath: dunst)
            process.arguments = ["-config", config.path, "-print"]
            process.environment = environment
            process.standardOutput = try FileHandle(forWritingTo: printed)
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Ready once it owns the notification name.
            let watcher = try await DBusConnection.connect(to: .address(bus.address))
            defer { watcher.close() }
            try await within(.seconds(10), "dunst on the bus") {
                while try await watcher.nameOwner(NotificationsAPI.busName) == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
        }

        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        deinit { stop() }

        /// Runs `dunstctl ARGS`; its output.
        func control(_ arguments: [String]) async throws -> String {
            let output = directory.appendingPathComponent("dunstctl-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: output) }
            _ = try await ChildProcess.run(["/usr/bin/dunstctl"] + arguments, environment: environment, output: output.path)
            return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        }

        /// Opens dunst's context menu, picks the entry containing `choice`, and returns every
        /// entry the menu offered.
        func contextMenu(choosing choice: String) async throws -> [String] {
            let menu = directory.appendingPathComponent("menu.txt")
            try? FileManager.default.removeItem(at: menu)
            try choice.write(to: directory.appendingPathComponent("choice"), atomically: true, encoding: .utf8)
            _ = try await control(["context"])
            return try await within(.seconds(10), "dunst's context menu") {
                while true {
                    // The recorder moves the file into place once dmenu's input has ended.
                    if let text = try? String(contentsOf: menu, encoding: .utf8) {
                        return text.split(separator: "\n").map(String.init)
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }

        /// The notifications dunst received, in order, as `dunst -print` describes them.
        var received: [Shown] { Shown.parse(dunstPrint: (try? String(contentsOf: printed, encoding: .utf8)) ?? "") }

        /// Waits until dunst has received `count` notifications.
        func waitForReceived(_ count: Int, _ what: String) async throws -> [Shown] {
            try await within(.seconds(10), what) {
                while true {
                    let received = self.received
                    if received.count >= count { return received }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }
    }

    /// What a server shows of one notification.
    struct Shown: Equatable, CustomStringConvertible {
        var summary: String
        var body: String
        var icon: String
        var urgency: String
        /// Action key → label.
        var actions: [String: String]

        var description: String { "\(summary) | \(body) | \(icon) | \(urgency) | \(actions.sorted { $0.key < $1.key })" }

        /// The blocks `dunst -print` writes, one per notification received.
        static func parse(dunstPrint text: String) -> [Shown] {
            text.components(separatedBy: "\n{\n").compactMap { block -> Shown? in
                func field(_ name: String, until next: String) -> String? {
                    guard let start = block.range(of: "\t\(name): '"), let end = block.range(of: "'\n\t\(next):", range: start.upperBound..<block.endIndex)
                    else { return nil }
                    return String(block[start.upperBound..<end.lowerBound])
                }
                guard let summary = field("summary", until: "body"), let body = field("body", until: "icon"),
                      let icon = field("icon", until: "raw_icon set")
                else { return nil }
                let urgency = block.split(separator: "\n").first { $0.hasPrefix("\turgency: ") }.map { String($0.dropFirst(10)) } ?? ""
                var actions: [String: String] = [:]
                if let open = block.range(of: "\tactions: {\n"), let close = block.range(of: "\n\t}", range: open.upperBound..<block.endIndex) {
                    for line in block[open.upperBound..<close.lowerBound].split(separator: "\n") {
                        let parts = line.trimmingCharacters(in: .whitespaces).components(separatedBy: "\": \"")
                        if parts.count == 2 { actions[String(parts[0].dropFirst())] = String(parts[1].dropLast()) }
                    }
                }
                return Shown(summary: summary, body: body, icon: icon, urgency: urgency, actions: actions)
            }
        }

        /// What the recording server received, in the same terms.
        init(_ notify: FakeNotificationServer.Notify) {
            summary = notify.summary
            body = notify.body
            icon = notify.icon
            let urgency = notify.hints.first { $0.key == .string("urgency") }.map { $0.value }
            self.urgency = urgency == .variant(.byte(2)) ? "CRITICAL" : urgency == .variant(.byte(0)) ? "LOW" : "NORMAL"
            var actions: [String: String] = [:]
            var pairs = notify.actions[...]
            while pairs.count >= 2 {
                actions[pairs[pairs.startIndex]] = pairs[pairs.startIndex + 1]
                pairs = pairs.dropFirst(2)
            }
            self.actions = actions
        }

        init(summary: String, body: String, icon: String, urgency: String, actions: [String: String]) {
            self.summary = summary
            self.body = body
            self.icon = icon
            self.urgency = urgency
            self.actions = actions
        }
    }
}
