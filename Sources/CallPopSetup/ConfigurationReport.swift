public import CallPopConfig
internal import CallPopPlatform

/// Loads the configuration for a command, printing problems the way compilers do.
public enum ConfigurationReport {
    /// Loads `explicitFile` (or the XDG files); prints warnings and errors to stderr;
    /// returns nil when the configuration cannot be used.
    public static func load(explicitFile: String?, environment: [String: String]) -> Configuration? {
        try? loadResult(explicitFile: explicitFile, environment: environment).get()
    }

    /// The same, keeping the errors (for a reload refused over D-Bus).
    public static func loadResult(explicitFile: String?, environment: [String: String]) -> Result<Configuration, ConfigurationError> {
        do {
            let configuration = try ConfigurationLoader(environment: environment).load(explicitFile: explicitFile)
            for warning in configuration.warnings { StandardStreams.err(warning.description) }
            return .success(configuration)
        } catch {
            for diagnostic in error.diagnostics { StandardStreams.err(diagnostic.description) }
            let count = error.diagnostics.filter { !$0.isWarning }.count
            StandardStreams.err("callpop: configuration has \(count) error\(count == 1 ? "" : "s")")
            return .failure(error)
        }
    }
}
