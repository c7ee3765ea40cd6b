import CallPopCore
/// Cleaning and escaping of untrusted text for notifications.
///
/// Caller ID is typed by whoever calls: it may carry markup, control
/// characters or direction overrides meant to disguise a number.
enum NotificationText {
    /// The longest name or number shown; the rest is cut with an ellipsis.
    static let maximumLength = UntrustedText.displayLimit

    /// Caller ID for display, by the one policy for hostile text.
    static func clean(_ text: String) -> String {
        UntrustedText.clean(text, for: .display)
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
