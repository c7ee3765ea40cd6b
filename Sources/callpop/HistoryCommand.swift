import ArgumentParser
import CallPopCore
import CallPopPlatform
import CallPopRuntime
import CallPopSetup

extension CallPop {
    /// `callpop history`: the calls of the journal.
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show past calls and the popups they opened (from $XDG_STATE_HOME/callpop/history.ndjson).",
            discussion: """
                The agent writes every call and every popup it opened or offered to the history (off with \
                [history] enabled = false). Without --since the last 50 calls are shown. To open an on-click \
                rule for a call that is over: callpop open RULE --call ID (or last, last-missed).
                """)

        @Flag(help: "Only missed calls.")
        var missed = false

        @Option(help: ArgumentHelp("Only calls since: today, yesterday, 30m, 2h, 7d, 2025-03-01, '2025-03-01 14:00'.", valueName: "when"))
        var since: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("At most this many calls, the newest (default 50 without --since).", valueName: "n"))
        var limit: Int?

        @Flag(help: "One JSON object per call and line.")
        var json = false

        func run() throws {
            var query = CallHistory.Query(missedOnly: missed, limit: limit ?? (since == nil ? 50 : nil))
            if let since {
                guard let start = TimeRange.start(since) else {
                    StandardStreams.err("callpop history: '\(since)' is not a time: use today, yesterday, 30m, 2h, 7d, 2025-03-01 or '2025-03-01 14:00'")
                    throw ExitCode(64)
                }
                query.since = start
            }
            let directory = XDGDirectories(environment: ProcessEnvironment.current).historyDirectory
            let calls = query.select(HistoryLog.calls(in: directory))
            if json {
                if !calls.isEmpty { StandardStreams.out(HistoryTable.json(calls)) }
            } else {
                StandardStreams.out(HistoryTable.render(calls))
            }
        }
    }
}
