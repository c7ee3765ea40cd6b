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

    /// Directory text as a contact keeps it (names, numbers and their kinds): trimmed, then
    /// what the caller-ID policy removes taken out (and the value cut to its limit), then
    /// trimmed again, so a control character between a space and the text cannot leave the
    /// space at an end. Trimmed before the cut, so surrounding spaces never count against the
    /// limit: the same value reads the same wherever it stood (found by the `csv` fuzz target).
    static func text(_ raw: String) -> String {
        UntrustedText.templateValue(raw.trimmingSpaces).trimmingSpaces
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line ends, judged scalar by scalar: as
    /// `Character`s, CR LF is one character that is neither `"\r"` nor `"\n"`, and a space
    /// followed by a combining mark is one that is not `" "`.
    var trimmingSpaces: String {
        let isSpace = { (scalar: Unicode.Scalar) in scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" }
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return String(scalars)
    }
}
