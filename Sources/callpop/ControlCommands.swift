import ArgumentParser
import CallPopDBus
import CallPopPlatform
import CallPopRuntime

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
            abstract: "Show the running agent's state as JSON: version, configuration, PBX connection, live calls.")

        func run() async throws {
            try await CallPop.askAgent { () throws(DBusError) in StandardStreams.out(try await AgentControlClient.status()) }
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
            abstract: "Open an on-click rule for the most recent live call (bind it to a keyboard shortcut).")

        @Argument(help: "The rule's id or name (see `callpop check`).")
        var rule: String

        func run() async throws {
            let rule = rule
            try await CallPop.askAgent { () throws(DBusError) in try await AgentControlClient.open(rule: rule) }
        }
    }
}
