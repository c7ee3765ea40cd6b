import ArgumentParser
import CallPopDBus
import CallPopPlatform
import CallPopRuntime
import CallPopSetup

extension CallPop {
    /// Runs one request to the running agent; a failure is printed as `callpop: …`, exit 1.
    static func askAgent(_ request: () async throws(DBusError) -> Void) async throws {
        do throws(DBusError) {
            try await request()
        } catch {
            StandardStreams.err("callpop: \(error.message)")
            throw ExitCode(1)
        }
    }

    /// `callpop status`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the running agent's state: version, since when, configuration, PBX connection, last event, live calls.")

        @Flag(help: "Print the status as one JSON object.")
        var json = false

        func run() async throws {
            let json = json
            try await CallPop.askAgent { () throws(DBusError) in
                let status = try await AgentControlClient.status()
                StandardStreams.out(json ? status : StatusReport.render(json: status))
            }
        }
    }

    /// `callpop reload`.
    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the running agent re-read its configuration; a bad one is refused and the old one stays.")

        func run() async throws {
            try await CallPop.askAgent { () throws(DBusError) in
                try await AgentControlClient.reload()
                StandardStreams.out("configuration reloaded")
            }
        }
    }

    /// `callpop open RULE`.
    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open an on-click rule for the most recent live call (bind it to a keyboard shortcut), or for a call from the history.")

        @Argument(help: "The rule's id or name (see `callpop check`).")
        var rule: String

        @Option(help: ArgumentHelp("A call from the history, also one that is over: its id, last or last-missed (see `callpop history`).", valueName: "call"))
        var call: String?

        func run() async throws {
            let rule = rule
            let call = call
            try await CallPop.askAgent { () throws(DBusError) in
                if let call { try await AgentControlClient.open(rule: rule, call: call) } else { try await AgentControlClient.open(rule: rule) }
            }
        }
    }
}
