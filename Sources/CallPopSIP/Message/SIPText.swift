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

    /// Parses `;name=value;flag` parameters (values may be quoted) into lowercase-named pairs.
    static func parameters<S: StringProtocol>(_ text: S) -> [String: String] {
        var result: [String: String] = [:]
        for part in text.split(separator: ";") {
            let piece = trim(part)
            guard !piece.isEmpty else { continue }
            if let equals = piece.firstIndex(of: "=") {
                let name = trim(piece[..<equals]).lowercased()
                result[name] = unquote(trim(piece[piece.index(after: equals)...]))
            } else {
                result[piece.lowercased()] = ""
            }
        }
        return result
    }

    /// Removes surrounding double quotes and backslash escapes.
    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        var out = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped { out.append(character); escaped = false } else if character == "\\" { escaped = true } else { out.append(character) }
        }
        return out
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
