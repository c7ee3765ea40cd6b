/// One problem found in a configuration file.
public struct ConfigDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the file, when known.
    public var position: SourcePosition?
    /// What is wrong and how to fix it.
    public var message: String
    /// The file; filled in by the loader.
    public var file: String = ""
    /// The key the problem is about (`pbx.url`, `popup[2].trigger`), when it is about one.
    public var key: String?
    /// Warnings do not stop the agent; errors do.
    public var isWarning: Bool = false

    /// Creates a diagnostic.
    public init(position: SourcePosition?, message: String, isWarning: Bool = false) {
        self.position = position
        self.message = message
        self.isWarning = isWarning
    }

    /// `FILE:LINE:COLUMN: message` (or `FILE: message` without a position), as compilers print.
    public var description: String {
        let kind = isWarning ? "warning: " : ""
        guard let position else { return "\(file): \(kind)\(message)" }
        return "\(file):\(position.line):\(position.column): \(kind)\(message)"
    }
}

/// A configuration that cannot be used, with every problem found.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// All problems, errors and warnings, in file order.
    public var diagnostics: [ConfigDiagnostic]

    /// One line per problem.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
