/// One content line of a vCard (RFC 2425/6350): `[group.]NAME[;param…]:value`, unfolded.
struct VCardProperty: Sendable, Hashable {
    /// The item group (`item1` in `item1.TEL`), lower-cased; empty when none.
    var group: String
    /// The property name, upper-cased (`TEL`, `FN`).
    var name: String
    /// Parameters by upper-cased name; values as written (quotes removed, RFC 6868 `^` escapes
    /// resolved), each comma-separated value on its own. vCard 2.1 bare parameters (`TEL;WORK`)
    /// are filed under `TYPE`.
    var parameters: [String: [String]]
    /// The raw value, still escaped (`\,` `\;` `\n`).
    var value: ArraySlice<UInt8>

    /// The values of parameter `name` (upper-case), lower-cased.
    func parameter(_ name: String) -> [String] {
        (parameters[name] ?? []).map { $0.lowercased() }
    }

    /// Parses one unfolded content line; `nil` when it is not one (no name or no colon).
    init?(_ line: ArraySlice<UInt8>) {
        var position = line.startIndex
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        func readName() -> String? {
            let start = position
            while position < line.endIndex, isNameByte(line[position]) { position += 1 }
            return position > start ? String(decoding: line[start..<position], as: UTF8.self).uppercased() : nil
        }
        guard var name = readName() else { return nil }
        group = ""
        if position < line.endIndex, line[position] == UInt8(ascii: ".") {
            position += 1
            group = name.lowercased()
            guard let realName = readName() else { return nil }
            name = realName
        }
        self.name = name
        parameters = [:]
        while position < line.endIndex, line[position] == UInt8(ascii: ";") {
            position += 1
            guard let parameterName = readName() else { return nil }
            guard position < line.endIndex, line[position] == UInt8(ascii: "=") else {
                parameters["TYPE", default: []].append(parameterName)
                continue
            }
            position += 1
            repeat {
                if position < line.endIndex, line[position] == UInt8(ascii: ",") { position += 1 }
                guard let value = Self.readParameterValue(line, &position) else { return nil }
                parameters[parameterName, default: []].append(value)
            } while position < line.endIndex && line[position] == UInt8(ascii: ",")
        }
        guard position < line.endIndex, line[position] == UInt8(ascii: ":") else { return nil }
        value = line[(position + 1)...]
    }

    /// A parameter value, quoted or not, up to `,` `;` or `:`; `nil` for an unterminated quote.
    private static func readParameterValue(_ line: ArraySlice<UInt8>, _ position: inout Int) -> String? {
        var bytes: [UInt8] = []
        let quoted = position < line.endIndex && line[position] == UInt8(ascii: "\"")
        if quoted { position += 1 }
        while position < line.endIndex {
            let byte = line[position]
            if quoted, byte == UInt8(ascii: "\"") { break }
            if !quoted, byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: ":") { break }
            if byte == UInt8(ascii: "^"), position + 1 < line.endIndex {
                // RFC 6868: ^n newline, ^' double quote, ^^ caret.
                switch line[position + 1] {
                case UInt8(ascii: "n"): bytes.append(0x0A); position += 2; continue
                case UInt8(ascii: "'"): bytes.append(UInt8(ascii: "\"")); position += 2; continue
                case UInt8(ascii: "^"): bytes.append(UInt8(ascii: "^")); position += 2; continue
                default: break
                }
            }
            bytes.append(byte)
            position += 1
        }
        if quoted {
            guard position < line.endIndex else { return nil }
            position += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
