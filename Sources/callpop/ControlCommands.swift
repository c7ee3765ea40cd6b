import ArgumentParser
import CallPopRuntime

extension CallPop {
    /// `callpop status`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the running agent's state as JSON: version, configuration, PBX connection, live calls.")

        func run() async throws {
            do throws(AgentControlClient.Failure) {
                StandardStreams.out(try await AgentControlClient.status())
            } catch {
                StandardStreams.err("callpop: \(error)")
                throw ExitCode(1)
            }
        }
    }

    /// `callpop reload`.
    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the running agent re-read its configuration; a bad one is refused and the old one stays.")

        func run() async throws {
            do throws(AgentControlClient.Failure) {
                try await AgentControlClient.reload()
                StandardStreams.out("configuration reloaded")
            } catch {
                StandardStreams.err("callpop: \(error)")
                throw ExitCode(1)
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
            do throws(AgentControlClient.Failure) {
                try await AgentControlClient.open(rule: rule)
            } catch {
                StandardStreams.err("callpop: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
