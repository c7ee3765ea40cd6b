public import ArgumentParser
public import Logging
import CallPopRuntime
import CallPopSetup
import CallPopPlatform

/// Options every agent-like command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Read this configuration file instead of the XDG files.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Log level on stderr: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    /// Sets up logging to stderr once, and returns the agent's logger.
    func makeLogger() -> Logger {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "callpop")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
