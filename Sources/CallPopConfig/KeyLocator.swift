/// Finds where keys and tables stand in TOML text, because the TOML library reports
/// positions only for syntax errors and callpop reports every error as FILE:LINE:COLUMN.
///
/// Paths look like `user`, `user.number`, `popup[1]`, `popup[1].url` (array-of-tables
/// entries numbered from 0). A key's position is that of its value.
struct KeyLocator {
    private(set) var positions: [String: SourcePosition] = [:]

    init(text: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var multiline: String? = nil  // the closing delimiter of an open multi-line string
        var depth = 0  // open brackets of a multi-line array value
        var lineNumber = 0
        // "\r\n" is one Character, so split on it too, or a CRLF file reads as a single line;
        // a byte-order mark is not part of the first line.
        let text = text.first == "\u{FEFF}" ? text.dropFirst() : text[...]
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = Array(rawLine)
            if let closing = multiline {
                if String(rawLine).contains(closing) { multiline = nil }
                continue
            }
            if depth > 0 {
                depth = max(0, depth + Self.bracketBalance(line[...]))
                continue
            }
            guard let first = line.firstIndex(where: { $0 != " " && $0 != "\t" }) else { continue }
            if line[first] == "#" { continue }
            if line[first] == "[" {
                let isArray = first + 1 < line.count && line[first + 1] == "["
                let open = isArray ? 2 : 1
                guard let close = line[(first + open)...].firstIndex(of: "]") else { continue }
                let name = Self.normalizeKey(String(line[(first + open)..<close]))
                if isArray {
                    let index = arrayCounts[name, default: 0]
                    arrayCounts[name] = index + 1
                    table = "\(name)[\(index)]"
                } else {
                    table = name
                }
                positions[table] = SourcePosition(line: lineNumber, column: first + 1)
                continue
            }
            guard let equals = Self.assignment(line) else { continue }
            let key = Self.normalizeKey(String(line[first..<equals]))
            var valueStart = equals + 1
            while valueStart < line.count, line[valueStart] == " " || line[valueStart] == "\t" { valueStart += 1 }
            let path = table.isEmpty ? key : "\(table).\(key)"
            positions[path] = SourcePosition(line: lineNumber, column: valueStart + 1)
            let value = line[valueStart...]
            for delimiter in ["\"\"\"", "'''"] where String(value).hasPrefix(delimiter) {
                if !String(value.dropFirst(3)).contains(delimiter) { multiline = delimiter }
            }
            if multiline == nil { depth = max(0, Self.bracketBalance(value)) }
        }
    }

    /// The position of `path`, or of the nearest enclosing table that has one.
    func position(_ path: String) -> SourcePosition? {
        var p = Substring(path)
        while true {
            if let found = positions[String(p)] { return found }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            p = p[..<cut]
        }
    }

    /// The index of the `=` of a `key = value` line, outside quotes.
    private static func assignment(_ line: [Character]) -> Int? {
        var quote: Character? = nil
        for (i, c) in line.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "=" {
                return i
            } else if c == "#" {
                return nil
            }
        }
        return nil
    }

    /// Net `[` minus `]` outside strings and comments.
    private static func bracketBalance(_ chars: ArraySlice<Character>) -> Int {
        var balance = 0
        var quote: Character? = nil
        var escaped = false
        for c in chars {
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" && q == "\"" { escaped = true } else if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "[": balance += 1
            case "]": balance -= 1
            case "#": return balance
            default: break
            }
        }
        return balance
    }

    /// `a . "b c"` → `a.b c`.
    private static func normalizeKey(_ raw: String) -> String {
        raw.split(separator: ".").map {
            var part = $0.trimmingBlanks
            if part.count >= 2, let f = part.first, f == "\"" || f == "'", part.last == f {
                part = String(part.dropFirst().dropLast())
            }
            return part
        }.joined(separator: ".")
    }
}

extension Substring {
    var trimmingBlanks: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
