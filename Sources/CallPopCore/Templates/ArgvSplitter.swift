/// Splits an app command line into argv words once, at load time, with shell-like
/// quoting — and no shell: nothing is ever run through `/bin/sh`.
///
/// Words are separated by unquoted blanks. `"..."` keeps blanks, and inside it a
/// backslash escapes only `"` and `\` (so Windows paths survive); `'...'` keeps
/// everything literally; an unquoted backslash escapes the next character. The
/// vendor's cmd.exe escape `^&` means a literal `&`.
public enum ArgvSplitter {
    /// One word and the character offset where it starts in the command line.
    public struct Word: Sendable, Hashable {
        /// The word with quotes removed.
        public var text: String
        /// Where it starts.
        public var offset: Int
    }

    /// Splits `commandLine` into words.
    public static func split(_ commandLine: String) throws(TemplateError) -> [Word] {
        let chars = Array(commandLine)
        var words: [Word] = []
        var current = ""
        var inWord = false
        var start = 0
        var i = 0
        func begin() { if !inWord { inWord = true; start = i } }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case " ", "\t", "\n", "\r", "\r\n":  // "\r\n" is one Character
                if inWord { words.append(Word(text: current, offset: start)); current = ""; inWord = false }
                i += 1
            case "^" where i + 1 < chars.count && chars[i + 1] == "&":
                begin(); current.append("&"); i += 2
            case "\\":
                begin()
                guard i + 1 < chars.count else { throw TemplateError(message: "command line ends with a lone backslash", offset: i) }
                current.append(chars[i + 1]); i += 2
            case "'":
                begin()
                guard let close = chars[(i + 1)...].firstIndex(of: "'") else {
                    throw TemplateError(message: "unterminated single quote", offset: i)
                }
                current.append(contentsOf: chars[(i + 1)..<close]); i = close + 1
            case "\"":
                begin()
                let open = i
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if d == "\"" { closed = true; i += 1; break }
                    if d == "\\", i + 1 < chars.count, chars[i + 1] == "\"" || chars[i + 1] == "\\" {
                        current.append(chars[i + 1]); i += 2; continue
                    }
                    if d == "^", i + 1 < chars.count, chars[i + 1] == "&" { current.append("&"); i += 2; continue }
                    current.append(d); i += 1
                }
                guard closed else { throw TemplateError(message: "unterminated double quote", offset: open) }
            default:
                begin(); current.append(c); i += 1
            }
        }
        if inWord { words.append(Word(text: current, offset: start)) }
        return words
    }
}
