/// A JSON request body with `{VARIABLE}` placeholders, e.g.
/// `{"number": "{CALLERNUM:e164}", "name": "{CALLERNAME}", "seconds": {DURATION}}`.
///
/// Where each placeholder stands is worked out once, when the configuration loads: inside
/// a JSON string its value is escaped as JSON string content (a caller name with a `"` or a
/// backslash cannot end the string or add a member); outside a string only `{DURATION}`, a
/// number, may stand. The literal text must close every string, object and array it opens.
public struct JSONBodyTemplate: Sendable, Hashable {
    /// The template as parsed.
    public let template: Template
    /// Per segment: whether a placeholder stands inside a JSON string.
    private let quoted: [Bool]

    /// Checks `template` as a JSON body; throws with the offset of the first problem.
    public init(_ template: Template) throws(TemplateError) {
        var quoted: [Bool] = []
        var inString = false
        var stringStart = 0
        var escaped = false
        var open: [(character: Character, offset: Int)] = []
        var offset = 0
        for segment in template.segments {
            switch segment {
            case .literal(let text):
                for character in text {
                    defer { offset += 1 }
                    if inString {
                        if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                        continue
                    }
                    switch character {
                    case "\"":
                        inString = true
                        stringStart = offset
                    case "{", "[": open.append((character, offset))
                    case "}", "]":
                        guard let last = open.popLast(), (last.character == "{") == (character == "}") else {
                            throw TemplateError(message: "json: '\(character)' closes nothing that is open", offset: offset)
                        }
                    default: break
                    }
                }
                quoted.append(false)
            case .variable(let variable, let transform):
                if !inString, variable != .duration {
                    throw TemplateError(
                        message: "json: {\(variable.rawValue)} must stand inside a JSON string, e.g. \"{\(variable.rawValue)}\" (only {DURATION} is a number)",
                        offset: offset)
                }
                quoted.append(inString)
                offset += variable.rawValue.count + 2 + (transform.spelling.isEmpty ? 0 : transform.spelling.count + 1)
            }
        }
        if inString { throw TemplateError(message: "json: this string is not closed", offset: stringStart) }
        if let unclosed = open.last { throw TemplateError(message: "json: this '\(unclosed.character)' is not closed", offset: unclosed.offset) }
        self.template = template
        self.quoted = quoted
    }

    /// The body for a call: string values escaped as JSON, `{DURATION}` as a number.
    public func expand(_ variables: CallVariables) -> String {
        var out = ""
        for (segment, isQuoted) in zip(template.segments, quoted) {
            switch segment {
            case .literal(let text): out += text
            case .variable(let variable, let transform):
                let value = variables.value(variable, transform)
                if isQuoted {
                    var literal = ""
                    JSONObjectWriter.appendString(value, to: &literal)
                    out += literal.dropFirst().dropLast()
                } else {
                    // {DURATION} outside a string: digits only, so it can only ever be a number.
                    let digits = value.filter { $0.isASCII && $0.isNumber }
                    out += digits.isEmpty ? "0" : digits
                }
            }
        }
        return out
    }
}
