internal import CallPopCore

/// Cleaning of directory text that is not covered by the one caller-ID policy.
enum ContactText {
    /// A record URL as the directory wrote it, without surrounding space, or empty when it
    /// has control characters or is too long to be shown or opened safely: a URL cut short or
    /// silently changed would open the wrong page, so it is dropped instead. Scheme and host
    /// checks happen where the URL is used (the popup rules).
    static func url(_ text: String) -> String {
        let trimmed = text.trimmingSpaces
        // The caller-ID policy, one character at a time: what it would remove makes the URL unusable.
        guard trimmed.utf8.count <= 2048, !trimmed.unicodeScalars.contains(where: { UntrustedText.templateValue(String($0)).isEmpty }) else {
            return ""
        }
        return trimmed
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line ends.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
