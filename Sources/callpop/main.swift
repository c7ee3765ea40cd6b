import ArgumentParser
import CallPopPlatform

// Every task of callpop runs on one run loop on this thread (see `RunLoopExecutor`): an idle
// agent then has no thread that wakes up.
RunLoop.runMain { await CallPop.main() }
