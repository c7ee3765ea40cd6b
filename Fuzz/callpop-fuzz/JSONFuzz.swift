import CallPopCore
import CallPopLookup

/// A CRM's JSON answer (`http` directories) and a colleague directory's (`[colleagues] url`):
/// whoever answers is not trusted; the field path is the user's, fuzzed too.
///
/// Input: an optional field path, a NUL byte, then the body (no NUL: the documented paths).
enum JSONFuzz {
    static let documented = ["result.records[0].name", "result.records[0].company.name", "result.records[0].url", "result.records[0].id"]

    static func answer(_ raw: UnsafeRawBufferPointer) {
        let bytes = Array(raw)
        var body = bytes[...]
        var namePath = documented[0]
        if let nul = bytes.firstIndex(of: 0) {
            namePath = String(decoding: bytes[..<nul], as: UTF8.self)
            body = bytes[(nul + 1)...]
        }
        guard let name = path(namePath) else { return }
        let paths = documented.dropFirst().compactMap { try? JSONFieldPath($0) }
        require(paths.count == 3, "a documented field path does not parse")
        let fields = JSONContactFields(name: name, organisation: paths[0], url: paths[1], id: paths[2])
        let root: JSONValue
        do {
            root = try JSONValue(parsing: Array(body))
        } catch {
            require(error.code == .malformedJSON || error.code == .tooLarge(limit: JSONValue.maximumBytes), "an unexpected refusal: \(error)")
            return
        }
        checkRoundTrip(root)
        checkContact(fields, root: root, body: Array(body))
        checkColleagues(Array(body))
    }

    /// A path parses, or is refused at a column inside it (or just after); a parsed path
    /// written back in the canonical form (`["key"]`, `[n]`) has the same steps.
    static func path(_ source: String) -> JSONFieldPath? {
        do {
            let path = try JSONFieldPath(source)
            let canonical = path.steps.map { step in
                switch step {
                case .key(let key): "[\"\(key)\"]"
                case .index(let index): "[\(index)]"
                }
            }.joined()
            require((try? JSONFieldPath(canonical))?.steps == path.steps, "path \(source.debugDescription) written as \(canonical.debugDescription) reads back differently")
            return path
        } catch {
            require(error.code == .invalidFieldPath && (1...source.utf8.count + 1).contains(error.column ?? 0),
                    "path \(source.debugDescription) refused without a column in it: \(error)")
            return nil
        }
    }

    /// The value written back as JSON parses to the same value, and a number's text (what a
    /// template gets) reads back as that number.
    static func checkRoundTrip(_ root: JSONValue) {
        let written = json(root)
        let reparsed = try? JSONValue(parsing: Array(written.utf8))
        require(reparsed.map { same($0, root) } ?? false, "the value written as \(written.debugDescription) reads back differently")
        var pending = [root]
        while let value = pending.popLast() {
            switch value {
            case .array(let items): pending += items
            case .object(let members): pending += members.values
            case .integer(let number): require(value.text.flatMap { Int64($0) } == number, "integer \(number) shown as \(value.text ?? "nil")")
            case .number(let number): require(value.text.flatMap { Double($0) } == number, "number \(number) shown as \(value.text ?? "nil")")
            case .null, .bool, .string: break
            }
        }
    }

    /// Equal, numbers by value: `20200000000000000.00…2` is not an integer and reads as a
    /// `.number`, but that `Double`, 2.02e16, written back is one and reads as an `.integer`.
    /// The integer is the exact value of the written text, which only rounds to the `Double`:
    /// 20200000000000008.1 is the `Double` 20200000000000008, written (shortest) as
    /// `2.020000000000001e+16`, which reads back as the integer 20200000000000010. So the
    /// integer is compared rounded to a `Double`, as the text it came from was.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .number(let y)), (.number(let y), .integer(let x)): return Double(x) == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        case (.object(let x), .object(let y)): return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        default: return a == b
        }
    }

    /// A contact has a clean, non-blank name taken from the name path; its other fields are clean.
    static func checkContact(_ fields: JSONContactFields, root: JSONValue, body: [UInt8]) {
        guard let contact = try? fields.contact(in: body, directory: "crm") else {
            let name = fields.name.text(in: root).map(UntrustedText.templateValue(_:)) ?? ""
            return require(name.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }, "no contact although the name is \(name.debugDescription)")
        }
        ContactChecks.check([contact], directory: "crm", reader: "JSON")
        require(contact.numbers.isEmpty, "numbers from a CRM answer")
        require(contact.name == UntrustedText.templateValue(fields.name.text(in: root) ?? ""), "the name is not the name path's text")
        require(!contact.name.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }, "a blank name: \(contact.name.debugDescription)")
    }

    /// Colleague numbers are phone numbers (never a pattern wildcard), each once, bounded.
    static func checkColleagues(_ body: [UInt8]) {
        guard let listing = try? ColleagueDirectoryResponse.listing(in: body) else { return }
        require(Set(listing.numbers).count == listing.numbers.count, "a colleague number listed twice")
        require(listing.numbers.count <= ColleagueDirectoryResponse.maximumNumbers, "\(listing.numbers.count) colleague numbers")
        let allowed = Set("0123456789 -.()".utf8)
        for number in listing.numbers {
            let rest = number.utf8.first == UInt8(ascii: "+") ? number.utf8.dropFirst() : number.utf8[...]
            require(!number.isEmpty && rest.allSatisfy(allowed.contains) && ContactChecks.isTrimmed(number), "colleague number \(number.debugDescription)")
        }
    }

    /// `value` as JSON text (strings escaped by scalars; numbers as Swift prints them, which JSON reads).
    static func json(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .number(let number): return "\(number)"
        case .string(let text): return quoted(text)
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { quoted($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
