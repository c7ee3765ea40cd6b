/// Rewrites the TOML library's syntax messages where callpop can name the real mistake:
/// an unclosed string is reported by the library where the line ends ("unescaped control
/// characters …", "encountered end-of-file"), far from the quote that was not closed.
enum TOMLSyntaxHint {
    /// The diagnostic, pointed at the opening quote of an unclosed string when that is what it is about.
    static func clarify(_ diagnostic: ConfigDiagnostic, text: String) -> ConfigDiagnostic {
        guard let position = diagnostic.position,
              diagnostic.message.contains("while parsing string") || diagnostic.message.contains("while parsing literal string")
        else { return diagnostic }
        let body = text.first == "\u{FEFF}" ? text.dropFirst() : text[...]
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard position.line >= 1, position.line <= lines.count else { return diagnostic }
        let line = Array(lines[position.line - 1])
        // Only where the line (or the file) ends: a control character inside a closed string
        // keeps the library's message.
        let atEnd = position.column > line.count || diagnostic.message.contains("end-of-file")
        guard atEnd, let open = unclosedQuote(line) else { return diagnostic }
        let quote = line[open]
        var clear = diagnostic
        clear.position = SourcePosition(line: position.line, column: open + 1)
        clear.message = "unclosed string: the \(quote) here has no closing \(quote) on this line "
            + "(a string ends on the line it starts; use \(quote)\(quote)\(quote) … \(quote)\(quote)\(quote) for text over several lines)"
        return clear
    }

    /// The index of the quote that opens a string the line does not close, outside comments.
    private static func unclosedQuote(_ line: [Character]) -> Int? {
        var open: Int? = nil
        var index = 0
        while index < line.count {
            let c = line[index]
            if let start = open {
                if line[start] == "\"", c == "\\" {
                    index += 2
                    continue
                }
                if c == line[start] { open = nil }
            } else if c == "#" {
                return nil
            } else if c == "\"" || c == "'" {
                // A multi-line string may go on: that is not this mistake.
                if index + 2 < line.count, line[index + 1] == c, line[index + 2] == c { return nil }
                open = index
            }
            index += 1
        }
        return open
    }
}
