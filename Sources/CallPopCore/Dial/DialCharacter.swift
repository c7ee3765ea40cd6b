/// How the dial parsers see one character of (hostile) input.
///
/// Numbers are copied from web pages, e-mails and chat programs, which wrap them in
/// invisible marks and format them with all kinds of spaces and dashes; those are
/// accepted. What could make the user see other digits than the ones dialled is not:
/// right-to-left controls reorder digit groups on screen, so they are refused anywhere.
enum DialCharacter: Equatable {
    /// `0`-`9`, with its ASCII value.
    case digit(UInt8)
    /// `+`, which may only start a global number.
    case plus
    /// `*` or `#` (PBX feature codes, local numbers), with its ASCII value.
    case service(UInt8)
    /// A visual separator: spaces of any width, `-` and other dashes, `.`, `(`, `)`, `/`.
    case separator
    /// An invisible mark that cannot reorder digits (zero-width space, left-to-right mark,
    /// left-to-right embedding/isolate and their terminators, byte order mark, soft hyphen):
    /// trimmed at the edges of the input (chat programs wrap numbers in them), refused inside.
    case mark
    /// Any other invisible format character, right-to-left controls among them: refused anywhere.
    case invisible
    /// CR, LF, NUL, TAB and the other control characters, line and paragraph separators.
    case control
    /// A letter of any script.
    case letter
    /// A decimal digit of another script.
    case otherDigit
    /// Anything else.
    case other

    init(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        switch value {
        case 0x30...0x39: self = .digit(UInt8(value)); return
        case 0x2B: self = .plus; return
        case 0x2A, 0x23: self = .service(UInt8(value)); return
        case 0x20, 0x2D, 0x2E, 0x28, 0x29, 0x2F, 0x2010...0x2015, 0x2212: self = .separator; return
        case 0x00AD, 0x200B...0x200E, 0x2060, 0xFEFF, 0x202A, 0x202C, 0x2066, 0x2069: self = .mark; return
        case 0x2028, 0x2029: self = .control; return
        default: break
        }
        switch scalar.properties.generalCategory {
        case .spaceSeparator: self = .separator
        case .control: self = .control
        case .format: self = .invisible
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: self = .letter
        case .decimalNumber: self = .otherDigit
        default: self = .other
        }
    }

    /// The error for a character that may not appear where it is.
    static func refusal(_ scalar: Unicode.Scalar, at position: Int?) -> DialError {
        switch DialCharacter(scalar) {
        case .control:
            return .at(.controlCharacter, scalar, position, "control characters are not dialled")
        case .mark, .invisible:
            return .at(.invisibleCharacter, scalar, position,
                "an invisible formatting character could show the digits in another order than they are dialled")
        case .letter:
            return .at(.letters, scalar, position,
                "letters are not dialled (vanity numbers and the pause letters p and w included); type the number in digits")
        case .otherDigit:
            return .at(.nonASCIIDigit, scalar, position, "only the digits 0-9 are dialled")
        case .plus:
            return .at(.misplacedPlus, scalar, position, "'+' may only start a number")
        case .other where scalar == ",":
            return .at(.postDialDigits, scalar, position,
                "pauses and digits sent after the call connects are not supported; dial the number alone")
        default:
            return .at(.unexpectedCharacter, scalar, position, "this character has no place in a phone number")
        }
    }
}
