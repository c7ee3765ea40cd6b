import ArgumentParser
import CallPopPlatform
import CallPopSetup

extension CallPop {
    /// `callpop doctor`: is everything a popup needs there?
    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check everything a popup needs and say how to fix what is not right.",
            discussion: """
                Checks the configuration; the PBX (reachable, login or subscription accepted, your extension \
                seen: a short probe with the real client); the notification server (name, version, whether it \
                shows buttons, and how to click actions on dunst and mako); the URL opener; autostart on this \
                desktop; and the running agent (since when, last call event). Exits 0 only when everything a \
                popup needs works.
                """)

        @Option(name: .shortAndLong, help: ArgumentHelp("Check this configuration file instead of the XDG files.", valueName: "file"))
        var config: String?

        @Option(help: ArgumentHelp("Seconds the PBX probe may take.", valueName: "seconds"))
        var timeout: Int = 8

        func run() async throws {
            let checks = await CallPopSetup.Doctor(
                environment: ProcessEnvironment.current, explicitFile: config, probeTime: .seconds(max(1, timeout))
            ).run()
            StandardStreams.out(checks.report)
            if checks.exitStatus != 0 { throw ExitCode(checks.exitStatus) }
        }
    }
}
