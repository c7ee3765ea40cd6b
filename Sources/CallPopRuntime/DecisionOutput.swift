internal import CallPopCore
internal import CallPopPlatform

/// Where decisions are shown: stdout (dry-run, `simulate`, `--json`) or the log.
public struct DecisionOutput: Sendable {
    /// How each decision is written.
    public enum Format: Sendable {
        /// One readable line.
        case text
        /// One JSON object per line.
        case json
    }

    /// The format.
    public var format: Format
    /// Whether decisions go to stdout (else only to the log).
    public var toStandardOutput: Bool

    /// Creates an output.
    public init(format: Format, toStandardOutput: Bool) {
        self.format = format
        self.toStandardOutput = toStandardOutput
    }

    /// Writes one decision as a line on stdout, unbuffered so a reader sees it at once.
    func write(_ decision: Decision, dryRun: Bool) {
        var text = format == .json ? decision.json : decision.line
        if format == .text, dryRun, decision.verdict == .launch { text = "[dry-run] " + text }
        StandardStreams.out(text)
    }
}
