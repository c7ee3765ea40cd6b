public import CallPopCore
public import CallPopConfig
public import CallPopSources

/// Turns the validated `[pbx]` connection (or `--events`) into the source the agent reads.
public enum SourceFactory {
    /// The source for `configuration`, or for `eventsPath` when given (`-` = stdin).
    public static func makeSource(configuration: Configuration, eventsPath: String?) throws(SourceError) -> any CallEventSource {
        if let eventsPath { return EventStreamSource(path: eventsPath) }
        switch configuration.connection {
        case .none:
            throw SourceError(.invalidConfiguration, "no PBX configured: set [pbx] source = \"ami\", \"sip\" or \"events\", or pass --events FILE")
        case .events(let path):
            return EventStreamSource(path: path, live: true)
        case .ami(let settings):
            return AMIClient(configuration: settings)
        case .sip(let settings):
            return SIPDialogSource(configuration: settings)
        }
    }
}
