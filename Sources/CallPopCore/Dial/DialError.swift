/// Why a number cannot be dialled. Every input that is not exactly one phone number
/// ends here, never in a partial number.
///
/// `message` is safe to print and log: characters of the input appear only when they
/// are printable ASCII, anything else as `U+XXXX`.
public struct DialError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// Nothing to dial (empty input, or only separators).
        case empty
        /// The input, or the number in it, is longer than any phone number.
        case tooLong
        /// A global number with fewer digits than any E.164 number.
        case tooShort
        /// Letters: vanity numbers (`1-800-FLOWERS`) and pause letters (`p`, `w`) are not dialled.
        case letters
        /// A character that has no place in a phone number (`;`, `@`, `?`, ...).
        case unexpectedCharacter
        /// A control character (CR, LF, NUL, TAB, ...).
        case controlCharacter
        /// An invisible formatting character inside the number, or a right-to-left
        /// control anywhere (it can show the digits in another order than they are dialled).
        case invisibleCharacter
        /// A digit of another script (`٣`, `３`): only 0-9 are dialled.
        case nonASCIIDigit
        /// `+` anywhere but at the start.
        case misplacedPlus
        /// A `%` not followed by two hex digits, or escapes that are not UTF-8.
        case badPercentEncoding
        /// A URI whose structure is wrong (a `sip:` URI without `user@host`, ...).
        case malformedURI
        /// A URI scheme other than `tel:`, `callto:`, `sip:` and `sips:`.
        case unsupportedScheme
        /// A `sip:`/`callto:` URI naming a user (`sip:alice@example.com`), not a number.
        case notAPhoneNumber
        /// A URI parameter given twice.
        case duplicateParameter
        /// A URI parameter whose name or value is malformed (or not allowed on this number).
        case badParameter
        /// Pauses or digits to send after the call connects (`,`, `;postd=`): not supported.
        case postDialDigits
        /// No phone number in the text (dialling the selection).
        case noNumberFound
        /// A `[dial] deny` pattern refuses the number.
        case denied
        /// A dial plan setting (outside-line prefix, rewrite, deny pattern) is invalid.
        case invalidRule
    }

    /// The kind of problem.
    public var code: Code
    /// What is wrong, for the user.
    public var message: String
    /// Where the problem is: the offset in Unicode scalars from the start of the input
    /// (of the text searched, for the selection), when it is one character.
    public var position: Int?
    /// The offending character: itself when printable ASCII, else `U+XXXX`.
    public var character: String?
    /// For `denied`: the rule that refused the number.
    public var denial: DialDenial?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, position: Int? = nil, character: String? = nil, denial: DialDenial? = nil
    ) {
        self.code = code
        self.message = message
        self.position = position
        self.character = character
        self.denial = denial
    }

    /// The message.
    public var description: String { message }

    /// An error about the character `scalar` at `position`.
    static func at(_ code: Code, _ scalar: Unicode.Scalar, _ position: Int?, _ what: String) -> DialError {
        let shown = show(scalar)
        let quoted = shown.count == 1 ? "'\(shown)'" : shown
        let place = position.map { " at position \($0 + 1)" } ?? ""
        return DialError(code, "\(what): \(quoted)\(place)", position: position, character: shown)
    }

    /// `scalar` as it may be printed: printable ASCII as itself, anything else as `U+XXXX`.
    static func show(_ scalar: Unicode.Scalar) -> String {
        if (0x21...0x7e).contains(scalar.value) { return String(Character(scalar)) }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
