/// A path to a field in a CRM's JSON response, as configured: `result.records[0].name`,
/// `[0].company`, `data["display name"]`, `items[-1].id` (negative indexes count from the end).
public struct JSONFieldPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The path as configured.
    public let source: String
    /// The steps, in order.
    public let steps: [Step]

    /// The path as configured.
    public var description: String { source }

    /// Parses `source`; errors carry the 1-based column of the problem.
    public init(_ source: String) throws(LookupError) {
        self.source = source
        let bytes = Array(source.utf8)
        var steps: [Step] = []
        var position = 0
        func fail(_ message: String) -> LookupError {
            LookupError(.invalidFieldPath, "\(message) in field path \"\(String(source.prefix(80)))\"", column: position + 1)
        }
        guard !bytes.isEmpty else { throw fail("empty field path") }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "[") {
                position += 1
                guard position < bytes.count else { throw fail("unclosed [") }
                if bytes[position] == UInt8(ascii: "\"") {
                    guard let close = bytes[(position + 1)...].firstIndex(of: UInt8(ascii: "\"")),
                          close + 1 < bytes.count, bytes[close + 1] == UInt8(ascii: "]") else { throw fail("unclosed [\"") }
                    steps.append(.key(String(decoding: bytes[(position + 1)..<close], as: UTF8.self)))
                    position = close + 2
                } else {
                    guard let close = bytes[position...].firstIndex(of: UInt8(ascii: "]")) else { throw fail("unclosed [") }
                    guard let index = Int(String(decoding: bytes[position..<close], as: UTF8.self)) else {
                        throw fail("expected a number or a quoted key between [ and ]")
                    }
                    steps.append(.index(index))
                    position = close + 1
                }
            } else if byte == UInt8(ascii: ".") {
                guard !steps.isEmpty, position + 1 < bytes.count, bytes[position + 1] != UInt8(ascii: "."),
                      bytes[position + 1] != UInt8(ascii: "[") else { throw fail("a . must separate two names") }
                position += 1
            } else {
                let start = position
                guard start == 0 || bytes[start - 1] == UInt8(ascii: ".") else { throw fail("expected . before a name") }
                while position < bytes.count, bytes[position] != UInt8(ascii: "."), bytes[position] != UInt8(ascii: "[") {
                    guard bytes[position] != UInt8(ascii: "]"), bytes[position] != UInt8(ascii: "\"") else { throw fail("unexpected \(Character(Unicode.Scalar(bytes[position])))") }
                    position += 1
                }
                steps.append(.key(String(decoding: bytes[start..<position], as: UTF8.self)))
            }
        }
        self.steps = steps
    }

    /// The value at this path in `root`, or `nil` when any step is missing.
    public func value(in root: JSONValue) -> JSONValue? {
        var current = root
        for step in steps {
            switch (step, current) {
            case (.key(let key), .object(let object)):
                guard let next = object[key] else { return nil }
                current = next
            case (.index(let index), .array(let array)):
                let resolved = index < 0 ? array.count + index : index
                guard array.indices.contains(resolved) else { return nil }
                current = array[resolved]
            default:
                return nil
            }
        }
        return current
    }

    /// The text at this path in `root`; `nil` when missing, null or not a scalar.
    public func text(in root: JSONValue) -> String? {
        value(in: root)?.text
    }
}
