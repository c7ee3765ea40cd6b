import ArgumentParser
import CallPopConfig
import CallPopCore
import CallPopRuntime
import CallPopSetup
import CallPopPlatform

extension CallPop {
    /// `callpop check`: validate the configuration and show the rules.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and list the popup rules.",
            discussion: "Exits 1 and prints FILE:LINE:COLUMN: message for every error.")

        @Option(name: .shortAndLong, help: ArgumentHelp("Check this file instead of the XDG files.", valueName: "file"))
        var config: String?

        func run() throws {
            guard let configuration = ConfigurationReport.load(explicitFile: config, environment: ProcessEnvironment.current) else {
                throw ExitCode(1)
            }
            StandardStreams.out(RuleTable.render(configuration))
        }
    }
}
