/// A text with `{VARIABLE}` placeholders, parsed once when the configuration loads.
///
/// Syntax: `{NAME}`, `{NAME:N}` (drop the first N characters), `{NAME:e164}`,
/// `{NAME:national}`, `{NAME:digits}` (number variables only), and the vendor
/// alias `<<clid>>` for `{CALLERNUM}`. A `{` not followed by a name and `}` is text.
public struct Template: Sendable, Hashable {
    /// One piece of a template.
    public enum Segment: Sendable, Hashable {
        /// Text kept as the user wrote it.
        case literal(String)
        /// A placeholder.
        case variable(TemplateVariable, TemplateTransform)
    }

    /// The pieces, in order.
    public let segments: [Segment]

    /// The template as written.
    public let source: String

    /// For a URL template whose literal text fixes the scheme (and, for `http`/`https`, the
    /// host) and is all valid URL text: the lower-cased scheme. Every expansion of such a
    /// template passes `URLCheck` once the scheme is allowed (values are percent-encoded), so
    /// it is checked once here instead of for every call. `nil`: check each expansion.
    public let fixedURLScheme: String?

    /// Parses `source`; throws for unknown variables and bad modifiers, with the
    /// character offset of the problem so the loader can point at it.
    public init(parsing source: String) throws(TemplateError) {
        self.source = source
        self.segments = try TemplateParser.parse(source)
        self.fixedURLScheme = URLCheck.fixedScheme(of: segments)
    }

    /// A template from pieces already parsed (a part of another template).
    init(segments: [Segment], source: String) {
        self.segments = segments
        self.source = source
        self.fixedURLScheme = URLCheck.fixedScheme(of: segments)
    }

    /// The variables the template uses.
    public var variables: Set<TemplateVariable> {
        Set(segments.compactMap { if case .variable(let v, _) = $0 { v } else { nil } })
    }

    /// The literal text before the first placeholder.
    public var leadingLiteral: String {
        if case .literal(let text)? = segments.first { text } else { "" }
    }

    /// Whether the template has no placeholders.
    public var isConstant: Bool { variables.isEmpty }
}

/// A template or an app command line that could not be parsed.
public struct TemplateError: Error, Sendable, Hashable {
    /// What is wrong, for the user.
    public var message: String
    /// Offset in characters from the start of the template where the problem is.
    public var offset: Int
}

enum TemplateParser {
    static func parse(_ source: String) throws(TemplateError) -> [Template.Segment] {
        var segments: [Template.Segment] = []
        var literal = ""
        let chars = Array(source)
        var i = 0
        func flush() {
            if !literal.isEmpty { segments.append(.literal(literal)); literal = "" }
        }
        while i < chars.count {
            if chars[i] == "<", source.count >= i + 8, String(chars[i..<(i + 8)]) == "<<clid>>" {
                flush()
                segments.append(.variable(.callerNumber, .none))
                i += 8
                continue
            }
            var close: Int? = nil
            if chars[i] == "{" {
                close = placeholderEnd(chars, from: i)
                if close == nil { close = try meantPlaceholderEnd(chars, from: i) }
            }
            if let close {
                let body = String(chars[(i + 1)..<close])
                flush()
                segments.append(try placeholder(body, at: i))
                i = close + 1
                continue
            }
            literal.append(chars[i])
            i += 1
        }
        flush()
        return segments
    }

    /// The index of the `}` closing a placeholder that starts at `start`, if the text
    /// there looks like one (`{` then a letter, then name characters and an optional modifier).
    private static func placeholderEnd(_ chars: [Character], from start: Int) -> Int? {
        var j = start + 1
        guard j < chars.count, chars[j].isASCII, chars[j].isLetter else { return nil }
        while j < chars.count, j - start < 64 {
            let c = chars[j]
            if c == "}" { return j }
            guard c.isASCII, c.isLetter || c.isNumber || c == "_" || c == ":" || c == "-" else { return nil }
            j += 1
        }
        return nil
    }

    /// For a `{` that `placeholderEnd` does not take as a placeholder but whose name is (close
    /// to) a variable's: the index of its `}` when there is one (`{CALLERNUM:e.164}`, so the
    /// modifier is reported), or an error saying it is not closed (`{CALLERNUM`). Other text
    /// after a `{` stays text.
    private static func meantPlaceholderEnd(_ chars: [Character], from start: Int) throws(TemplateError) -> Int? {
        let name = String(chars[(start + 1)...].prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        let names = TemplateVariable.allCases.map(\.rawValue)
        guard name.count >= 3 else { return nil }
        let variable = TemplateVariable(rawValue: name) != nil ? name : Suggestion.closest(to: name, among: names)
        guard let variable else { return nil }
        var j = start + 1
        while j < chars.count, j - start < 64, chars[j] != "{", !chars[j].isWhitespace {
            if chars[j] == "}" { return j }
            j += 1
        }
        throw TemplateError(message: "{\(name) is not closed: write {\(variable)}", offset: start)
    }

    private static func placeholder(_ body: String, at offset: Int) throws(TemplateError) -> Template.Segment {
        let parts = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard let variable = TemplateVariable(rawValue: name) else {
            let names = TemplateVariable.allCases.map(\.rawValue)
            if let meant = Suggestion.closest(to: name, among: names) {
                throw TemplateError(message: "unknown variable {\(name)}; did you mean {\(meant)}?", offset: offset)
            }
            let list = { (callbackOnly: Bool) in
                TemplateVariable.allCases.filter { $0.isCallbackOnly == callbackOnly && !$0.isDialOnly }.map { "{\($0.rawValue)}" }.joined(separator: " ")
            }
            let known = list(false) + "; in callbacks also " + list(true)
            throw TemplateError(message: "unknown variable {\(name)}; known: \(known)", offset: offset)
        }
        guard parts.count == 2 else { return .variable(variable, .none) }
        let modifier = String(parts[1])
        if let n = Int(modifier), n >= 0 { return .variable(variable, .dropFirst(n)) }
        let form: TemplateTransform
        switch modifier {
        case "e164": form = .e164
        case "national": form = .national
        case "digits": form = .digits
        default:
            let forms = ["e164", "national", "digits"]
            let hint = Suggestion.closest(to: modifier, among: forms).map { "did you mean {\(name):\($0)}? Use" } ?? "use"
            throw TemplateError(
                message: "bad modifier '\(modifier)' in {\(body)}: \(hint) a count of characters to drop, or e164, national, digits",
                offset: offset)
        }
        guard variable.isNumber else {
            throw TemplateError(
                message: "{\(body)}: the number forms apply only to CALLERNUM, CALLEDNUM and USERNUM", offset: offset)
        }
        return .variable(variable, form)
    }
}
