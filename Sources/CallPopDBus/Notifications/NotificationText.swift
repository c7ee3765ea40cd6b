/// Cleaning and escaping of untrusted text for notifications.
///
/// Caller ID is typed by whoever calls: it may carry markup, control
/// characters or direction overrides meant to disguise a number.
enum NotificationText {
    /// The longest name or number shown; the rest is cut with an ellipsis.
    static let maximumLength = 120

    /// Turns control characters (C0, DEL, C1) into spaces, drops bidirectional
    /// controls, folds runs of whitespace into one space, trims, and limits the length.
    static func clean(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isDirectionControl(scalar) { continue }
            if scalar.properties.isWhitespace || isControl(scalar) {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.unicodeScalars.append(" ")
                pendingSpace = false
            }
            result.unicodeScalars.append(scalar)
        }
        if result.count > maximumLength {
            result = String(result.prefix(maximumLength - 1)) + "…"
        }
        return result
    }

    /// C0 controls, DEL and C1 controls: shown as a space.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }

    /// LRM/RLM, embeddings, overrides and isolates reorder what is shown (a
    /// number could read backwards): dropped.
    private static func isDirectionControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Escapes text for the notification body markup (a small XML subset).
    static func escapeMarkup(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}
