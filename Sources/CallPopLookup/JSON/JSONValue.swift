internal import FoundationEssentials

/// Any JSON value, read from a CRM's response.
///
/// The reader is Foundation's `JSONDecoder` (FoundationEssentials, already linked for the
/// NDJSON event decoder in `CallPopCore`): this type only says how to decode "anything", so no
/// second JSON parser exists in the project. Numbers keep an exact integer form when they have
/// one, so a phone number or id sent as a JSON number is not shown as `4.940123e+10`.
public enum JSONValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The largest response read.
    public static let maximumBytes = 4 * 1024 * 1024

    /// Parses a response body.
    public init(parsing bytes: [UInt8]) throws(LookupError) {
        guard bytes.count <= Self.maximumBytes else {
            throw LookupError(.tooLarge(limit: Self.maximumBytes), "JSON response of \(bytes.count) bytes is over the \(Self.maximumBytes)-byte limit")
        }
        do {
            self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw LookupError(.malformedJSON, "the response is not JSON")
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The value as text for a template: strings as they are, numbers and booleans as JSON
    /// writes them; `nil` for null, arrays and objects.
    public var text: String? {
        switch self {
        case .string(let value): value
        case .integer(let value): String(value)
        case .number(let value): value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): value ? "true" : "false"
        case .null, .array, .object: nil
        }
    }
}
