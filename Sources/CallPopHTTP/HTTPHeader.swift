/// One header of a request or a response.
public struct HTTPHeader: Sendable, Hashable {
    /// The name as written (`Authorization`); compared without regard to case.
    public var name: String
    /// The value.
    public var value: String
    /// A secret (a token, an API key): sent, but shown only masked and never logged.
    public var isSecret: Bool

    /// Creates a header.
    public init(_ name: String, _ value: String, isSecret: Bool = false) {
        self.name = name
        self.value = value
        self.isSecret = isSecret
    }

    /// The value as logs and dry runs show it: secrets as `****`.
    public var shownValue: String { isSecret ? "****" : value }

    /// `Name: value` with secrets masked.
    public var shown: String { "\(name): \(shownValue)" }

    /// Whether `name` is a header name (an RFC 9110 token).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isTokenByte)
    }

    /// Whether `value` can be sent: no line breaks, no NUL, no other control except tab.
    public static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

extension Array where Element == HTTPHeader {
    /// The value of the first header called `name` (any case), if any.
    public func value(of name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}
