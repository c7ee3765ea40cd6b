import ArgumentParser
import CallPopPlatform
import Glibc

// Every task of callpop runs on one run loop on this thread (see `RunLoopExecutor`): an idle
// agent then has no thread that wakes up.
// A misspelt subcommand is named with the one meant, where the parser would only call it unexpected.
if let message = SubcommandSuggestion.message(for: Array(CommandLine.arguments.dropFirst()), root: CallPop.self) {
    StandardStreams.err(message)
    exit(64)  // EX_USAGE, as the parser's own usage errors
}
RunLoop.runMain { await CallPop.main() }
