public import ArgumentParser
import CallPopConfig
public import CallPopCore
import CallPopRuntime
import CallPopSetup
import CallPopPlatform

extension CallPop {
    /// `callpop simulate`: one call event through the real pipeline.
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send one call event through your rules and show the decisions.",
            discussion: "Nothing is launched unless --launch is given.")

        @OptionGroup var common: CommonOptions

        @Option(help: "incoming or outgoing.")
        var direction: CallDirection

        @Option(help: "ringing, answered or ended.")
        var state: CallState = .ringing

        @Option(help: "The other party's number.")
        var number: String

        @Option(help: "The other party's name.")
        var name: String = ""

        @Option(help: "The dialled number (DID or queue on incoming calls).")
        var called: String = ""

        @Option(help: "The call id (default: sim-1).")
        var call: String = "sim-1"

        @Flag(help: "Mark the other party as a colleague.")
        var colleague = false

        @Flag(help: "Print decisions as JSON.")
        var json = false

        @Flag(help: "Really launch what the rules say.")
        var launch = false

        func run() async throws {
            let logger = common.makeLogger()
            let environment = ProcessEnvironment.current
            guard let configuration = ConfigurationReport.load(explicitFile: common.config, environment: environment) else {
                throw ExitCode(1)
            }
            let output = DecisionOutput(format: json ? .json : .text, toStandardOutput: true)
            // Callbacks are shown, never sent: the exact request each one would make.
            let remote = RemoteServices(base: configuration, environment: environment, dryRun: true, output: output, logger: logger)
            let agent = Agent(
                configuration: remote.effective, options: .init(dryRun: !launch, output: output), logger: logger,
                environment: environment)
            await remote.observe(agent)
            let event = CallEvent(
                callID: call, state: state, direction: direction, remoteNumber: number, remoteName: name,
                calledNumber: called, isColleague: colleague ? true : nil)
            let decisions = await agent.handle(event)
            // Rules that use the caller's contact are decided once the lookup answers.
            let later = await agent.waitForLookups()
            if decisions.isEmpty && later.isEmpty && !json { StandardStreams.out("no rule applies to this event") }
            await agent.waitForChildren(timeout: .seconds(10))
        }
    }
}

extension CallDirection: ExpressibleByArgument {}
extension CallState: ExpressibleByArgument {}
