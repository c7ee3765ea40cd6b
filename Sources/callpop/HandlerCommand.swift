import ArgumentParser
import CallPopPlatform
import CallPopSetup

extension CallPop {
    /// `callpop handler`: make callpop open tel:, callto: and sip: links.
    struct Handler: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make callpop open tel:, callto: and sip: links (callpop dial), or give them back.",
            discussion: """
                Sets callpop-dial.desktop as the default handler with xdg-mime. enable never replaces \
                another program's handler unless --force (which remembers it); disable gives the \
                replaced handlers back.
                """,
            subcommands: [Enable.self, Disable.self, Status.self])

        /// Prints the report's lines; an error is `callpop handler: …`, exit 1.
        static func report(_ body: (SchemeHandlers) throws(SetupError) -> SchemeHandlers.Report) throws -> SchemeHandlers.Report {
            do {
                let report = try body(SchemeHandlers(environment: ProcessEnvironment.current))
                for line in report.lines { StandardStreams.out(line) }
                return report
            } catch {
                StandardStreams.err("callpop handler: \(error.message)")
                throw ExitCode(1)
            }
        }

        /// `callpop handler enable [--force]`.
        struct Enable: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Make callpop the handler of tel:, callto: and sip: links.")

            @Flag(help: "Replace the handler another program has (it is remembered for disable).")
            var force = false

            func run() throws {
                let force = force
                guard let executable = ExecutablePath.current else {
                    StandardStreams.err("callpop handler: cannot tell where this callpop is (/proc/self/exe)")
                    throw ExitCode(1)
                }
                let report = try Handler.report { tool throws(SetupError) in try tool.enable(force: force, executable: executable) }
                if !report.conflicts.isEmpty { throw ExitCode(1) }
            }
        }

        /// `callpop handler disable`.
        struct Disable: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Give tel:, callto: and sip: links back to their previous handlers.")

            func run() throws {
                _ = try Handler.report { tool throws(SetupError) in try tool.disable() }
            }
        }

        /// `callpop handler status`.
        struct Status: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show which program opens tel:, callto: and sip: links.")

            func run() throws {
                _ = try Handler.report { tool throws(SetupError) in try tool.status() }
            }
        }
    }
}
