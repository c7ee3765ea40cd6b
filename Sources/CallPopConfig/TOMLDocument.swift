private import CTOML
private import Glibc
// TOMLKit is the package that builds CTOML (toml++ behind a C interface); its Swift types are
// not used: `TOMLTable` never frees the document it parsed, nor the key lists, strings and
// numbers its accessors copy out, so every load of a configuration (start, reload, a
// provisioned fragment) leaked the whole document (found by fuzzing: 2 GB after 1.8 million
// loads). Here every copy is freed and the parsed tree is cleared once converted; what stays
// is the empty root table, which the C interface offers no way to delete (about 100 bytes a load).
private import TOMLKit

/// The only file that sees the TOML library: text in, `ConfigValue` tree out.
enum TOMLDocument {
    /// Parses TOML text; throws the parser's message with its position.
    static func parse(_ text: String) throws(ConfigDiagnostic) -> [String: ConfigValue] {
        let errorPointer = UnsafeMutablePointer<CTOMLParseError>.allocate(capacity: 1)
        defer { errorPointer.deallocate() }
        guard let root = text.withCString({ tableCreateFromString($0, errorPointer) }) else {
            let error = errorPointer.pointee
            let message = String(cString: error.description)
            free(UnsafeMutableRawPointer(mutating: error.description))
            throw TOMLSyntaxHint.clarify(
                ConfigDiagnostic(
                    position: SourcePosition(line: Int(error.source.begin.line), column: Int(error.source.begin.column)),
                    message: "TOML syntax: \(message)"),
                text: text)
        }
        defer { tableClear(root) }
        return convert(table: root)
    }

    private static func convert(table: OpaquePointer) -> [String: ConfigValue] {
        let count = tableSize(table)
        let keys = tableGetKeys(table)
        let values = tableGetValues(table)
        defer {
            for index in 0..<count { free(UnsafeMutableRawPointer(mutating: keys[index])) }
            free(UnsafeMutableRawPointer(mutating: keys))
            free(UnsafeMutableRawPointer(mutating: values))
        }
        var out: [String: ConfigValue] = [:]
        for index in 0..<count {
            out[String(cString: keys[index])] = convert(node: values[index])
        }
        return out
    }

    private static func convert(node: OpaquePointer) -> ConfigValue {
        switch nodeType(node) {
        case .string: return .string(taking(nodeAsString(node)) { String(cString: $0) } ?? "")
        case .integer: return .integer(taking(nodeAsInt(node)) { Int($0.pointee) } ?? 0)
        case .boolean: return .boolean(taking(nodeAsBool(node)) { $0.pointee } ?? false)
        case .floatingPoint: return .float(taking(nodeAsDouble(node)) { $0.pointee } ?? 0)
        case .array:
            guard let array = nodeAsArray(node) else { return .array([]) }
            return .array((0..<arraySize(array)).map { convert(node: arrayGetNode(array, Int64($0))) })
        case .table: return .table(nodeAsTable(node).map { convert(table: $0) } ?? [:])
        case .date: return .other("date")
        case .timeType: return .other("time")
        case .dateTime: return .other("date-time")
        }
    }

    /// `read` of what `copy` points to, which the C interface allocated for us; then freed.
    private static func taking<T, R>(_ copy: UnsafePointer<T>?, _ read: (UnsafePointer<T>) -> R) -> R? {
        guard let copy else { return nil }
        defer { free(UnsafeMutableRawPointer(mutating: copy)) }
        return read(copy)
    }
}
