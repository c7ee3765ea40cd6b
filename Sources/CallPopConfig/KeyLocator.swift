/// Finds where keys and tables stand in TOML text, because the TOML library reports
/// positions only for syntax errors and callpop reports every error as FILE:LINE:COLUMN.
///
/// Paths look like `user`, `user.number`, `popup[1]`, `popup[1].url` (array-of-tables
/// entries numbered from 0). A key's position is that of its value.
struct KeyLocator {
    private(set) var positions: [String: SourcePosition] = [:]

    /// The first spot the TOML library must never be handed, as a syntax error: toml++ 3.4
    /// asserts (aborting a debug build) instead of reporting a table name that starts with a
    /// character no key starts with (`[,x]`, `[é]`, `[[[x]]]`; fixed upstream in
    /// marzer/tomlplusplus#301), and a `}` where an array element is due (`[1, }`).
    private(set) var unparsable: ConfigDiagnostic?

    init(text: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var multiline: String? = nil  // the closing delimiter of an open multi-line string
        var brackets = ValueBrackets()  // of a value that runs over several lines
        var lineNumber = 0
        // "\r\n" is one Character, so split on it too, or a CRLF file reads as a single line;
        // a byte-order mark is not part of the first line.
        let text = text.first == "\u{FEFF}" ? text.dropFirst() : text[...]
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for rawLine in lines {
            lineNumber += 1
            // Unicode scalars, not Characters: a combining mark after `[`, `=` or a quote makes
            // one Character of both, which hid the bracket from these checks (found by fuzzing).
            let line = Array(rawLine.unicodeScalars)
            if let closing = multiline {
                if Self.find(closing, in: line[...]) { multiline = nil }
                continue
            }
            if brackets.isOpen {
                if let at = brackets.read(line[...]) { noteMisplacedBrace(line: lineNumber, index: at) }
                continue
            }
            guard let first = line.firstIndex(where: { $0 != " " && $0 != "\t" }) else { continue }
            if line[first] == "#" { continue }
            if line[first] == "[" {
                let isArray = first + 1 < line.count && line[first + 1] == "["
                let open = isArray ? 2 : 1
                var nameStart = first + open
                while nameStart < line.count, line[nameStart] == " " || line[nameStart] == "\t" { nameStart += 1 }
                let atEnd = nameStart == line.count && lineNumber == lines.count  // the library reports end-of-file
                if unparsable == nil, !atEnd, !(nameStart < line.count && Self.canStartTableName(line[nameStart])) {
                    unparsable = ConfigDiagnostic(
                        position: SourcePosition(line: lineNumber, column: nameStart + 1),
                        message: "TOML syntax: Error while parsing table header: a table name starts with a letter, digit, '_', '-' or a quote")
                }
                guard let close = line[(first + open)...].firstIndex(of: "]") else { continue }
                let name = Self.normalizeKey(Self.text(line[(first + open)..<close]))
                // `[usr.x]` also defines `usr`, which an error may be about.
                noteParents(of: name, under: "", at: SourcePosition(line: lineNumber, column: first + 1))
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
            let key = Self.normalizeKey(Self.text(line[first..<equals]))
            var valueStart = equals + 1
            while valueStart < line.count, line[valueStart] == " " || line[valueStart] == "\t" { valueStart += 1 }
            let path = table.isEmpty ? key : "\(table).\(key)"
            positions[path] = SourcePosition(line: lineNumber, column: valueStart + 1)
            // `foo.bar = 1` defines the table `foo` on this line, where the key starts.
            noteParents(of: key, under: table, at: SourcePosition(line: lineNumber, column: first + 1))
            let value = line[valueStart...]
            for delimiter in ["\"\"\"", "'''"] where value.starts(with: delimiter.unicodeScalars) {
                if !Self.find(delimiter, in: value.dropFirst(3)) { multiline = delimiter }
            }
            if multiline == nil {
                brackets = ValueBrackets()
                if let at = brackets.read(value) { noteMisplacedBrace(line: lineNumber, index: at) }
            }
        }
    }

    /// Records `position` for each table a dotted name implies (`a` and `a.b` for `a.b.c`
    /// under `table`), unless an earlier line defined it.
    private mutating func noteParents(of name: String, under table: String, at position: SourcePosition) {
        var path = table
        for part in name.split(separator: ".").dropLast() {
            path = path.isEmpty ? String(part) : "\(path).\(part)"
            if positions[path] == nil { positions[path] = position }
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

    /// Whether a table name may start with `c` as far as the TOML library is concerned
    /// (`]` too: the library reports an empty name itself).
    private static func canStartTableName(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
            || c == "_" || c == "-" || c == "\"" || c == "'" || c == "]"
    }

    /// Whether `scalars` hold `delimiter` (`\"\"\"`, `'''`), scalar for scalar.
    private static func find(_ delimiter: String, in scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let needle = Array(delimiter.unicodeScalars)
        guard scalars.count >= needle.count else { return false }
        var start = scalars.startIndex
        while start + needle.count <= scalars.endIndex {
            if scalars[start..<(start + needle.count)].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }

    /// The text of `scalars`.
    private static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// The index of the `=` of a `key = value` line, outside quotes.
    private static func assignment(_ line: [Unicode.Scalar]) -> Int? {
        var quote: Unicode.Scalar? = nil
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

    private mutating func noteMisplacedBrace(line: Int, index: Int) {
        guard unparsable == nil else { return }
        unparsable = ConfigDiagnostic(
            position: SourcePosition(line: line, column: index + 1),
            message: "TOML syntax: Error while parsing array: expected value or closing ']', saw '}'")
    }

    /// The brackets of a value that may run over several lines, read outside strings and comments.
    private struct ValueBrackets {
        private var open: [Unicode.Scalar] = []
        private var elementDue = false  // just after an array's `[` or `,`

        var isOpen: Bool { !open.isEmpty }

        /// Reads the value's next piece; returns the index of a `}` where an array element is due.
        mutating func read(_ chars: ArraySlice<Unicode.Scalar>) -> Int? {
            var quote: Unicode.Scalar? = nil
            var escaped = false
            var misplaced: Int? = nil
            for (i, c) in zip(chars.indices, chars) {
                if let q = quote {
                    if escaped { escaped = false } else if c == "\\" && q == "\"" { escaped = true } else if c == q { quote = nil }
                    continue
                }
                switch c {
                case " ", "\t", "\r": continue
                case "#": return misplaced
                case "\"", "'": quote = c; elementDue = false
                case "[": open.append(c); elementDue = true
                case "{": open.append(c); elementDue = false
                case "]":
                    if open.last == "[" { open.removeLast() }
                    elementDue = false
                case "}":
                    if open.last == "[", elementDue, misplaced == nil { misplaced = i }
                    if open.last == "{" { open.removeLast() }
                    elementDue = false
                case ",": elementDue = open.last == "["
                default: elementDue = false
                }
            }
            return misplaced
        }
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
