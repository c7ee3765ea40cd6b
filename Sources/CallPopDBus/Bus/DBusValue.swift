/// One D-Bus value, typed as on the wire.
///
/// Containers carry their element signatures so that an empty array or
/// dictionary still has a type.
public indirect enum DBusValue: Sendable, Hashable {
    /// `y`
    case byte(UInt8)
    /// `b`
    case bool(Bool)
    /// `n`
    case int16(Int16)
    /// `q`
    case uint16(UInt16)
    /// `i`
    case int32(Int32)
    /// `u`
    case uint32(UInt32)
    /// `x`
    case int64(Int64)
    /// `t`
    case uint64(UInt64)
    /// `d`
    case double(Double)
    /// `s`
    case string(String)
    /// `o`
    case objectPath(String)
    /// `g`
    case signature(String)
    /// `a…`: an array whose elements all have `elementSignature`.
    case array(elementSignature: String, [DBusValue])
    /// `a{…}`: a dictionary as an ordered list of entries.
    case dictionary(keySignature: String, valueSignature: String, [DBusDictionaryEntry])
    /// `v`
    case variant(DBusValue)
    /// `(…)`
    case structure([DBusValue])

    /// The value's D-Bus type signature.
    public var signature: String {
        switch self {
        case .byte: "y"
        case .bool: "b"
        case .int16: "n"
        case .uint16: "q"
        case .int32: "i"
        case .uint32: "u"
        case .int64: "x"
        case .uint64: "t"
        case .double: "d"
        case .string: "s"
        case .objectPath: "o"
        case .signature: "g"
        case .array(let element, _): "a" + element
        case .dictionary(let key, let value, _): "a{" + key + value + "}"
        case .variant: "v"
        case .structure(let fields): "(" + fields.map(\.signature).joined() + ")"
        }
    }

    /// The text of a string, object path or signature value.
    public var string: String? {
        switch self {
        case .string(let text), .objectPath(let text), .signature(let text): text
        case .variant(let inner): inner.string
        default: nil
        }
    }

    /// The value of a `u` (or a variant holding one).
    public var uint32: UInt32? {
        switch self {
        case .uint32(let value): value
        case .variant(let inner): inner.uint32
        default: nil
        }
    }

    /// The value of a `b` (or a variant holding one).
    public var bool: Bool? {
        switch self {
        case .bool(let value): value
        case .variant(let inner): inner.bool
        default: nil
        }
    }

    /// The elements of an array (or a variant holding one).
    public var array: [DBusValue]? {
        switch self {
        case .array(_, let elements): elements
        case .variant(let inner): inner.array
        default: nil
        }
    }

    /// The entries of a dictionary (or a variant holding one).
    public var dictionary: [DBusDictionaryEntry]? {
        switch self {
        case .dictionary(_, _, let entries): entries
        case .variant(let inner): inner.dictionary
        default: nil
        }
    }

    /// An `as` array built from strings.
    public static func strings(_ values: [String]) -> DBusValue {
        .array(elementSignature: "s", values.map(DBusValue.string))
    }

    /// An `a{sv}` dictionary built from string keys, in key order.
    public static func vardict(_ values: [String: DBusValue]) -> DBusValue {
        .dictionary(
            keySignature: "s", valueSignature: "v",
            values.sorted { $0.key < $1.key }.map { DBusDictionaryEntry(key: .string($0.key), value: .variant($0.value)) })
    }
}

/// One key/value pair of a D-Bus dictionary.
public struct DBusDictionaryEntry: Sendable, Hashable {
    /// The key: a basic value.
    public var key: DBusValue
    /// The value.
    public var value: DBusValue

    /// Creates an entry.
    public init(key: DBusValue, value: DBusValue) {
        self.key = key
        self.value = value
    }
}
