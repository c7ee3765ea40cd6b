import ArgumentParser
import CallPopConfig
import CallPopDirectories
import CallPopRuntime
import CallPopSetup
import CallPopPlatform

extension CallPop {
    /// `callpop lookup NUMBER`: what every directory says about a number.
    struct Lookup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what every [[directory]] says about a number, with timings.",
            discussion: """
                Asks every directory of the configuration directly (not the agent's cache, which \
                is shown beside each answer), as callpop reads the number with your [user] number \
                plan: the tool for "why is the name wrong?". Write the number in any form: \
                +49 40 1234567, 040/1234567, tel:+49-40-1234567.
                """)

        @OptionGroup var common: CommonOptions

        @Argument(help: "The number, in any form.")
        var number: String

        @Flag(help: "Print one JSON object.")
        var json = false

        func run() async throws {
            let logger = common.makeLogger()
            let environment = ProcessEnvironment.current
            guard let configuration = ConfigurationReport.load(explicitFile: common.config, environment: environment) else {
                throw ExitCode(1)
            }
            let report = await CallerLookupInspection.report(number, configuration: configuration, environment: environment, logger: logger)
            StandardStreams.out(json ? report.json : report.text)
        }
    }
}
