public import CallPopCore
public import CallPopConfig

/// Turns `[pbx]` settings (or `--events`) into the source the agent reads.
public enum SourceFactory {
    /// The source for `configuration`, or for `eventsPath` when given (`-` = stdin).
    public static func makeSource(configuration: Configuration, eventsPath: String?) throws(SourceError) -> any CallEventSource {
        if let eventsPath { return EventStreamSource(path: eventsPath) }
        let pbx = configuration.pbx
        switch pbx.source {
        case .none:
            throw SourceError(message: "no PBX configured: set [pbx] source = \"ami\", \"sip\" or \"events\", or pass --events FILE")
        case .events:
            guard let path = pbx.string("path") else {
                throw SourceError(message: "[pbx] source = \"events\" needs path = \"/path/to/fifo-or-file\"")
            }
            return EventStreamSource(path: path)
        case .ami, .sip:
            throw SourceError(message: "[pbx] source = \"\(pbx.source.rawValue)\" is not available in this build")
        }
    }
}
