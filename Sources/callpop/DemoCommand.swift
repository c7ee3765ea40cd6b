import ArgumentParser
import CallPopConfig
import CallPopCore
import CallPopRuntime
import CallPopSetup
import CallPopPlatform
import Logging

extension CallPop {
    /// `callpop demo`: the built-in sample, in dry-run.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what callpop does with a built-in sample configuration and sample calls (nothing is launched).")

        @Flag(help: "Print decisions as JSON.")
        var json = false

        @Flag(help: "Print the sample configuration and exit.")
        var showConfig = false

        func run() async throws {
            if showConfig {
                StandardStreams.out(CallPopSetup.Demo.configuration)
                return
            }
            let environment = ProcessEnvironment.current
            let configuration: Configuration
            do {
                configuration = try ConfigurationLoader(environment: environment)
                    .load(text: CallPopSetup.Demo.configuration, name: "<demo>")
            } catch {
                StandardStreams.err(error.description)
                throw ExitCode(1)
            }
            let agent = Agent(
                configuration: configuration,
                options: .init(dryRun: true, output: DecisionOutput(format: json ? .json : .text, toStandardOutput: true)),
                logger: Logger(label: "callpop.demo"), environment: environment)
            if !json {
                StandardStreams.out("callpop demo: user 201 \"Alice Agent\" with \(configuration.ruleSet.rules.count) popup rules (see `callpop demo --show-config`). Nothing is launched.\n")
            }
            for step in CallPopSetup.Demo.steps {
                if !json { StandardStreams.out("• \(step.caption)") }
                let decisions = await agent.handle(step.event)
                if decisions.isEmpty && !json { StandardStreams.out("  (no popup for this change)") }
                if !json { StandardStreams.out("") }
            }
            if !json {
                StandardStreams.out("Next: `callpop init` writes your own configuration; `callpop check` validates it.")
            }
        }
    }
}
