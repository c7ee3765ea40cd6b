import CallPopCore

/// Small lexical helpers shared by the SIP parsers.
enum SIPText {
    /// Splits `a, "b,c" <d,e>, f` at top-level commas, trimming each element.
    static func splitList(_ value: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var inQuotes = false
        var angleDepth = 0
        var escaped = false
        for character in value {
            if escaped {
                escaped = false
            } else if inQuotes && character == "\\" {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if !inQuotes && character == "<" {
                angleDepth += 1
            } else if !inQuotes && character == ">" {
                angleDepth = max(0, angleDepth - 1)
            } else if !inQuotes && angleDepth == 0 && character == "," {
                parts.append(trim(current))
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(trim(current))
        return parts.filter { !$0.isEmpty }
    }

    /// Trims spaces and tabs.
    static func trim<S: StringProtocol>(_ text: S) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }

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
