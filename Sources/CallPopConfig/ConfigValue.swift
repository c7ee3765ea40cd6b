/// A value from a configuration file, freed from the TOML library so the rest of
/// the loader is plain Swift.
public indirect enum ConfigValue: Sendable, Hashable {
    /// A string.
    case string(String)
    /// An integer.
    case integer(Int)
    /// A Boolean.
    case boolean(Bool)
    /// A floating-point number.
    case float(Double)
    /// An array.
    case array([ConfigValue])
    /// A table, keys sorted.
    case table([String: ConfigValue])
    /// A value of a type callpop never uses (dates and times), by type name.
    case other(String)

    /// The type's name for messages: "a string", "an integer", ...
    public var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a Boolean"
        case .float: "a floating-point number"
        case .array: "an array"
        case .table: "a table"
        case .other(let name): "a \(name)"
        }
    }
}

/// A line and column in a configuration file, both from 1.
public struct SourcePosition: Sendable, Hashable {
    /// The line, from 1.
    public var line: Int
    /// The column, from 1.
    public var column: Int

    /// Creates a position.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}
