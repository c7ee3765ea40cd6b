private import TOMLKit

/// The only file that sees the TOML library: text in, `ConfigValue` tree out.
enum TOMLDocument {
    /// Parses TOML text; throws the parser's message with its position.
    static func parse(_ text: String) throws(ConfigDiagnostic) -> [String: ConfigValue] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw TOMLSyntaxHint.clarify(
                ConfigDiagnostic(
                    position: SourcePosition(line: error.source.begin.line, column: error.source.begin.column),
                    message: "TOML syntax: \(error.description)"),
                text: text)
        } catch {
            throw ConfigDiagnostic(position: nil, message: "TOML syntax: \(error)")
        }
        return convert(table)
    }

    private static func convert(_ table: TOMLTable) -> [String: ConfigValue] {
        var out: [String: ConfigValue] = [:]
        for key in table.keys {
            if let value = table[key] { out[key] = convert(value.tomlValue) }
        }
        return out
    }

    private static func convert(_ value: TOMLValue) -> ConfigValue {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .bool: return .boolean(value.bool ?? false)
        case .double: return .float(value.double ?? 0)
        case .array: return .array((value.array.map { Array($0) } ?? []).map { convert($0.tomlValue) })
        case .table: return .table(value.table.map(convert) ?? [:])
        case .date: return .other("date")
        case .time: return .other("time")
        case .dateTime: return .other("date-time")
        }
    }
}
