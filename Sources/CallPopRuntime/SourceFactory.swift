public import CallPopCore
public import CallPopConfig
public import CallPopSources
public import CallPopHTTP

/// Turns the validated `[pbx]` connection (or `--events`) into the source the agent reads.
public enum SourceFactory {
    /// The source for `configuration`, or for `eventsPath` when given (`-` = stdin); an
    /// event stream (`source = "stream"`) reads through `http`.
    public static func makeSource(
        configuration: Configuration, eventsPath: String?, http: HTTPClient? = nil
    ) throws(SourceError) -> any CallEventSource {
        if let eventsPath { return EventStreamSource(path: eventsPath) }
        switch configuration.connection {
        case .none:
            throw SourceError(.invalidConfiguration, "no PBX configured: set [pbx] source = \"ami\", \"sip\", \"stream\" or \"events\", or pass --events FILE")
        case .events(let path):
            return EventStreamSource(path: path, live: true)
        case .ami(let settings):
            return AMIClient(configuration: settings)
        case .sip(let settings):
            return SIPDialogSource(configuration: settings)
        case .stream(let settings):
            guard let http else { throw SourceError(.invalidConfiguration, "the event stream needs the HTTP client") }
            return HTTPEventStreamSource(configuration: settings, client: http)
        }
    }
}
