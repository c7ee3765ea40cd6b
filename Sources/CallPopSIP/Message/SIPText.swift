import CallPopCore

/// Small lexical helpers shared by the SIP parsers.
enum SIPText {
    /// Splits `a, "b,c" <d,e>, f` at top-level commas, trimming each element. Scans Unicode
    /// scalars, not `Character`s: a combining mark after a `,` or `"` must not hide it.
    static func splitList(_ value: String) -> [String] {
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var inQuotes = false
        var angleDepth = 0
        var escaped = false
        for scalar in value.unicodeScalars {
            if escaped {
                escaped = false
            } else if inQuotes && scalar == "\\" {
                escaped = true
            } else if scalar == "\"" {
                inQuotes.toggle()
            } else if !inQuotes && scalar == "<" {
                angleDepth += 1
            } else if !inQuotes && scalar == ">" {
                angleDepth = max(0, angleDepth - 1)
            } else if !inQuotes && angleDepth == 0 && scalar == "," {
                parts.append(trim(String(current)))
                current = String.UnicodeScalarView()
                continue
            }
            current.append(scalar)
        }
        parts.append(trim(String(current)))
        return parts.filter { !$0.isEmpty }
    }

    /// Trims spaces and tabs, scalar by scalar: as `Character`s, a space followed by a
    /// combining mark is one character that is not `" "`, and would stay (found by fuzzing:
    /// a `Via` value starting with U+06EB read back with a space in front).
    static func trim<S: StringProtocol>(_ text: S) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, isBlank(first) { scalars.removeFirst() }
        while let last = scalars.last, isBlank(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// A space or a tab: SIP's linear whitespace within a line.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

    /// The text before and after the first (or, `fromEnd`, the last) `separator`; `nil` when
    /// there is none. By Unicode scalars, like every delimiter search on SIP text: a combining
    /// mark after `:`, `@`, `;` or `=` joins it into one `Character`, which a `Character`
    /// search passes over.
    static func cut<S: StringProtocol>(_ text: S, at separator: Unicode.Scalar, fromEnd: Bool = false) -> (before: Substring, after: Substring)? {
        let scalars = Substring(text).unicodeScalars
        guard let index = fromEnd ? scalars.lastIndex(of: separator) : scalars.firstIndex(of: separator) else { return nil }
        return (Substring(scalars[..<index]), Substring(scalars[scalars.index(after: index)...]))
    }

    /// `text` split at every `separator`, by Unicode scalars, without empty pieces.
    static func split<S: StringProtocol>(_ text: S, at separator: Unicode.Scalar) -> [Substring] {
        Substring(text).unicodeScalars.split(separator: separator).map(Substring.init)
    }

    /// Parses `;name=value;flag` parameters (values may be quoted) into lowercase-named pairs.
    static func parameters<S: StringProtocol>(_ text: S) -> [String: String] {
        var result: [String: String] = [:]
        for part in split(text, at: ";") {
            let piece = trim(part)
            guard !piece.isEmpty else { continue }
            if case let (name, value)? = cut(piece, at: "=") {
                result[trim(name).lowercased()] = unquote(trim(value))
            } else {
                result[piece.lowercased()] = ""
            }
        }
        return result
    }

    /// Removes surrounding double quotes and backslash escapes, by Unicode scalars as
    /// `splitList` reads quoted strings (a mark after a quote or backslash does not hide it).
    static func unquote(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return text }
        var out = String.UnicodeScalarView()
        var escaped = false
        for scalar in scalars.dropFirst().dropLast() {
            if escaped { out.append(scalar); escaped = false } else if scalar == "\\" { escaped = true } else { out.append(scalar) }
        }
        return String(out)
    }

    /// Decodes `%XX` escapes; invalid escapes stay as written, invalid UTF-8 becomes U+FFFD.
    static func percentDecode(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "%"), input.count >= 2,
               let high = PercentEncoding.hexValue(input[input.startIndex]),
               let low = PercentEncoding.hexValue(input[input.startIndex + 1]) {
                bytes.append(high << 4 | low)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
