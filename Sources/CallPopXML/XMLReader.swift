/// A small, strict pull reader for the XML that servers send: SIP `application/dialog-info+xml`
/// bodies (RFC 4235) and WebDAV/CardDAV multistatus responses, written for hostile input.
///
/// Why not Foundation's `XMLParser` (libxml2): full Foundation linked statically drags in
/// FoundationInternationalization and ICU data (about 45 MB of a 61 MB binary), and Foundation's
/// XML module adds a dynamic libxml2 dependency; its Linux build traps on invalid UTF-8 in
/// attribute values; it reports success for a document cut short and recovers from mismatched
/// end tags; and a DTD-capable parser has to be fenced in against entity expansion ("billion
/// laughs") and external entities. Dialog-info needs none of
/// what libxml2 offers beyond well-formed elements, attributes and text, so this reader accepts
/// exactly that:
///
/// - UTF-8 only, validated up front (an optional BOM is skipped; an XML declaration naming any
///   other encoding is refused); characters XML forbids (C0 controls, U+FFFE/U+FFFF) are refused.
/// - The XML declaration, comments and processing instructions are skipped.
/// - `<!DOCTYPE` is refused, so the only entities are the five predefined ones and numeric
///   character references: no entity expansion or external entities exist, by construction.
/// - Namespaces by prefix: `xmlns` declarations are checked (an undeclared prefix is an error)
///   and not reported as attributes; callers compare local names.
/// - Attributes in both quote styles, normalised as XML 1.0 says; duplicates refused.
/// - CDATA sections, reported as text.
/// - Bounded: document size, nesting depth, element count and attributes per element
///   (`XMLLimits`); every loop advances through the input, so time is linear in its size.
/// - Well-formedness: matching end tags, one root element, no text outside it, and a
///   document that ends before its root element is closed is refused.
///
/// Pure: it reads a byte array and returns events; it does no I/O.
public struct XMLReader {
    private typealias C = XMLCharacters

    private let bytes: [UInt8]
    private let limits: XMLLimits
    private var index: Int
    private var open: [XMLName] = []
    /// The prefixes each open element declared (`""` for a default namespace declaration).
    private var declaredPrefixes: [[String]] = []
    private var elementCount = 0
    private var rootSeen = false
    /// The end of a self-closing element, reported on the next call.
    private var pendingEnd: XMLName?

    /// Checks the encoding and reads the XML declaration, if any.
    public init(_ bytes: [UInt8], limits: XMLLimits) throws(XMLReadError) {
        self.bytes = bytes
        self.limits = limits
        self.index = 0
        guard bytes.count <= limits.maxBytes else {
            throw XMLReadError(reason: "document of \(bytes.count) bytes is over the \(limits.maxBytes)-byte limit", offset: 0)
        }
        if let problem = C.firstInvalidCharacter(in: bytes) { throw XMLReadError(reason: problem.reason, offset: problem.offset) }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        try readDeclaration()
    }

    /// The next event, or `nil` at the end of a complete document.
    public mutating func next() throws(XMLReadError) -> XMLEvent? {
        if let end = pendingEnd {
            pendingEnd = nil
            closeElement()
            return .end(end)
        }
        while index < bytes.count {
            if bytes[index] == C.lessThan {
                if let event = try readMarkup() { return event }
            } else if open.isEmpty {
                guard C.isSpace(bytes[index]) else { throw failure(rootSeen ? "content after the root element" : "text before the root element") }
                index += 1
            } else {
                let text = try readText()
                if !text.isEmpty { return .text(text) }
            }
        }
        if let innermost = open.last { throw failure("document ends inside <\(innermost.qualified)> (truncated)") }
        guard rootSeen else { throw failure("document has no root element") }
        return nil
    }

    // MARK: Markup

    /// Reads the markup at `<`; returns `nil` for what is skipped (comments, processing instructions).
    private mutating func readMarkup() throws(XMLReadError) -> XMLEvent? {
        if has("<?") { try skipProcessingInstruction(); return nil }
        if has("<!--") { try skipComment(); return nil }
        if has("<![CDATA[") { return try readCDATA() }
        if hasIgnoringCase("<!doctype") {
            throw failure("DOCTYPE refused: the documents read here need no DTD, and a DTD is how entity-expansion and external-entity attacks get in")
        }
        if has("<!") { throw failure("unsupported markup declaration") }
        if has("</") { return try readEndTag() }
        return try readStartTag()
    }

    /// Reads `<?xml version="1.n" encoding="UTF-8" standalone="yes"?>`, pseudo-attributes in that order.
    private mutating func readDeclaration() throws(XMLReadError) {
        guard has("<?xml"), index + 5 < bytes.count, C.isSpace(bytes[index + 5]) else { return }
        index += 5
        var expected = ["version", "encoding", "standalone"][...]
        while true {
            let hadSpace = skipSpace()
            if has("?>") { index += 2; break }
            guard hadSpace else { throw failure("malformed XML declaration") }
            let name = try readName().qualified
            guard let position = expected.firstIndex(of: name) else { throw failure("malformed XML declaration") }
            guard expected.first != "version" || name == "version" else { throw failure("XML declaration without a version") }
            try expectEquals()
            let value = String(decoding: try readQuoted(), as: UTF8.self)
            let printable = C.printableASCII(value.utf8.prefix(20))
            switch name {
            case "version":
                let minor = value.utf8.dropFirst(2)
                guard value.hasPrefix("1."), !minor.isEmpty, minor.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    throw failure("XML version \"\(printable)\" is not supported (only 1.x)")
                }
            case "encoding":
                guard ["utf-8", "utf8"].contains(value.lowercased()) else {
                    throw failure("encoding \"\(printable)\" is not supported (only UTF-8)")
                }
            default:
                guard value == "yes" || value == "no" else { throw failure("malformed XML declaration") }
            }
            expected = expected[(position + 1)...]
        }
        guard expected.first != "version" else { throw failure("XML declaration without a version") }
    }

    private mutating func skipProcessingInstruction() throws(XMLReadError) {
        let start = index
        index += 2
        let target = try readName().qualified
        guard target.lowercased() != "xml" else { throw failure("XML declaration not at the start of the document") }
        guard let close = find("?>", from: index) else { throw XMLReadError(reason: "unterminated processing instruction (truncated)", offset: start) }
        guard close == index || C.isSpace(bytes[index]) else { throw failure("malformed processing instruction") }
        index = close + 2
    }

    private mutating func skipComment() throws(XMLReadError) {
        let start = index
        guard let dashes = find("--", from: index + 4) else { throw XMLReadError(reason: "unterminated comment (truncated)", offset: start) }
        guard dashes + 2 < bytes.count else { throw XMLReadError(reason: "unterminated comment (truncated)", offset: start) }
        guard bytes[dashes + 2] == C.greaterThan else { throw XMLReadError(reason: "\"--\" inside a comment", offset: dashes) }
        index = dashes + 3
    }

    private mutating func readCDATA() throws(XMLReadError) -> XMLEvent? {
        guard !open.isEmpty else { throw failure("CDATA section outside the root element") }
        let start = index + 9
        guard let close = find("]]>", from: start) else { throw failure("unterminated CDATA section (truncated)") }
        var text: [UInt8] = []
        appendNormalisingLineEnds(bytes[start..<close], to: &text)
        index = close + 3
        return text.isEmpty ? nil : .text(String(decoding: text, as: UTF8.self))
    }

    private mutating func readEndTag() throws(XMLReadError) -> XMLEvent {
        let start = index
        index += 2
        let name = try readName()
        skipSpace()
        guard index < bytes.count else { throw failure("unterminated end tag (truncated)") }
        guard bytes[index] == C.greaterThan else { throw failure("malformed end tag") }
        guard let innermost = open.last, innermost == name else {
            let expected = open.last.map { "</\($0.qualified)>" } ?? "no end tag"
            throw XMLReadError(reason: "end tag </\(name.qualified)> where \(expected) was expected", offset: start)
        }
        index += 1
        closeElement()
        return .end(name)
    }

    private mutating func readStartTag() throws(XMLReadError) -> XMLEvent {
        let start = index
        guard !(open.isEmpty && rootSeen) else { throw failure("a second root element") }
        index += 1
        let name = try readName()
        elementCount += 1
        guard elementCount <= limits.maxElements else { throw XMLReadError(reason: "more than \(limits.maxElements) elements", offset: start) }
        guard open.count < limits.maxDepth else { throw XMLReadError(reason: "elements nested deeper than \(limits.maxDepth)", offset: start) }
        var attributes: [XMLAttribute] = []
        var selfClosing = false
        while true {
            let hadSpace = skipSpace()
            guard index < bytes.count else { throw failure("unterminated start tag (truncated)") }
            if bytes[index] == C.greaterThan { index += 1; break }
            if has("/>") { index += 2; selfClosing = true; break }
            guard hadSpace else { throw failure("malformed start tag <\(name.qualified)>") }
            let attributeName = try readName()
            guard !attributes.contains(where: { $0.name == attributeName }) else { throw failure("duplicate attribute \(attributeName.qualified)") }
            guard attributes.count < limits.maxAttributes else { throw failure("more than \(limits.maxAttributes) attributes") }
            try expectEquals()
            let value = try readAttributeValue()
            attributes.append(XMLAttribute(name: attributeName, value: value))
        }
        let declared = try namespaceDeclarations(in: attributes)
        declaredPrefixes.append(declared)
        open.append(name)
        rootSeen = true
        let reported = attributes.filter { $0.name.prefix != "xmlns" && $0.name.qualified != "xmlns" }
        for used in [name] + reported.map(\.name) {
            if let prefix = used.prefix, prefix != "xml", !declaredPrefixes.contains(where: { $0.contains(prefix) }) {
                throw XMLReadError(reason: "namespace prefix \(prefix) is not declared", offset: start)
            }
        }
        if selfClosing { pendingEnd = name }
        return .start(name, reported)
    }

    /// The prefixes `attributes` declare; refuses declarations the Namespaces spec forbids.
    private func namespaceDeclarations(in attributes: [XMLAttribute]) throws(XMLReadError) -> [String] {
        var declared: [String] = []
        for attribute in attributes {
            if attribute.name.prefix == nil, attribute.name.local == "xmlns" {
                declared.append("")
            } else if attribute.name.prefix == "xmlns" {
                guard attribute.name.local != "xmlns", !attribute.value.isEmpty else {
                    throw failure("invalid namespace declaration xmlns:\(attribute.name.local)")
                }
                declared.append(attribute.name.local)
            }
        }
        return declared
    }

    private mutating func closeElement() {
        open.removeLast()
        declaredPrefixes.removeLast()
    }

    // MARK: Names, values, text

    /// Reads `name` or `prefix:name`.
    private mutating func readName() throws(XMLReadError) -> XMLName {
        let start = index
        guard index < bytes.count else { throw failure("expected a name (truncated)") }
        guard C.isNameStart(bytes[index]) else { throw failure("expected a name") }
        while index < bytes.count, C.isNameByte(bytes[index]) { index += 1 }
        let parts = bytes[start..<index].split(separator: C.colon, omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return XMLName(prefix: nil, local: String(decoding: parts[0], as: UTF8.self))
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty && C.isNameStart(parts[1][parts[1].startIndex]):
            return XMLName(prefix: String(decoding: parts[0], as: UTF8.self), local: String(decoding: parts[1], as: UTF8.self))
        default:
            throw XMLReadError(reason: "malformed qualified name", offset: start)
        }
    }

    private mutating func expectEquals() throws(XMLReadError) {
        skipSpace()
        guard index < bytes.count, bytes[index] == C.equals else { throw failure("expected = after an attribute name") }
        index += 1
        skipSpace()
    }

    /// An attribute value: references resolved, each white-space character a space (XML 1.0 3.3.3).
    private mutating func readAttributeValue() throws(XMLReadError) -> String {
        var value: [UInt8] = []
        let raw = try readQuoted()
        var position = raw.startIndex
        while position < raw.endIndex {
            let byte = raw[position]
            if byte == C.ampersand {
                position = try appendReference(at: position, in: raw, to: &value)
                continue
            }
            if byte == C.carriageReturn, position + 1 < raw.endIndex, raw[position + 1] == C.lineFeed { position += 1 }
            value.append(C.isSpace(byte) ? 0x20 : byte)
            position += 1
        }
        return String(decoding: value, as: UTF8.self)
    }

    /// The bytes between matching quotes (either style), refusing `<` inside; leaves `index` after the closing quote.
    private mutating func readQuoted() throws(XMLReadError) -> ArraySlice<UInt8> {
        guard index < bytes.count else { throw failure("expected a quoted value (truncated)") }
        let quote = bytes[index]
        guard quote == C.doubleQuote || quote == C.singleQuote else { throw failure("expected a quoted value") }
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] != quote {
            guard bytes[end] != C.lessThan else { throw XMLReadError(reason: "< inside an attribute value", offset: end) }
            end += 1
        }
        guard end < bytes.count else { throw failure("unterminated quoted value (truncated)") }
        index = end + 1
        return bytes[start..<end]
    }

    /// Character data up to the next `<`: references resolved, line ends normalised.
    private mutating func readText() throws(XMLReadError) -> String {
        var text: [UInt8] = []
        let start = index
        while index < bytes.count, bytes[index] != C.lessThan { index += 1 }
        let raw = bytes[start..<index]
        if let close = find("]]>", from: start, before: index) { throw XMLReadError(reason: "\"]]>\" in text", offset: close) }
        var position = raw.startIndex
        var plainStart = position
        while position < raw.endIndex {
            if raw[position] == C.ampersand {
                appendNormalisingLineEnds(raw[plainStart..<position], to: &text)
                position = try appendReference(at: position, in: raw, to: &text)
                plainStart = position
            } else {
                position += 1
            }
        }
        appendNormalisingLineEnds(raw[plainStart..<position], to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Resolves the reference starting with `&` at `position`; returns the position after its `;`.
    private func appendReference(at position: Int, in raw: ArraySlice<UInt8>, to output: inout [UInt8]) throws(XMLReadError) -> Int {
        let bodyStart = position + 1
        guard let semicolon = raw[bodyStart...].prefix(12).firstIndex(of: C.semicolon) else {
            throw XMLReadError(reason: "malformed or unterminated reference", offset: position)
        }
        let body = raw[bodyStart..<semicolon]
        if body.first == UInt8(ascii: "#") {
            let hex = body.dropFirst().first == UInt8(ascii: "x")
            let digits = body.dropFirst(hex ? 2 : 1)
            guard let value = C.characterReference(digits, hex: hex), C.isAllowedScalar(value), let scalar = Unicode.Scalar(value) else {
                throw XMLReadError(reason: "invalid character reference", offset: position)
            }
            UTF8.encode(scalar) { output.append($0) }
        } else if let replacement = C.predefinedEntity(body) {
            output.append(replacement)
        } else {
            throw XMLReadError(reason: "undefined entity (only &amp; &lt; &gt; &quot; &apos; and character references exist without a DTD)", offset: position)
        }
        return semicolon + 1
    }

    /// Appends `raw` with CR LF and lone CR turned into LF (XML 1.0 2.11).
    private func appendNormalisingLineEnds(_ raw: ArraySlice<UInt8>, to output: inout [UInt8]) {
        var position = raw.startIndex
        while position < raw.endIndex {
            let byte = raw[position]
            if byte == C.carriageReturn {
                output.append(C.lineFeed)
                if position + 1 < raw.endIndex, raw[position + 1] == C.lineFeed { position += 1 }
            } else {
                output.append(byte)
            }
            position += 1
        }
    }

    // MARK: Scanning

    @discardableResult
    private mutating func skipSpace() -> Bool {
        let start = index
        while index < bytes.count, C.isSpace(bytes[index]) { index += 1 }
        return index > start
    }

    private func has(_ literal: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        guard index + pattern.count <= bytes.count else { return false }
        return pattern.indices.allSatisfy { bytes[index + $0] == pattern[$0] }
    }

    private func hasIgnoringCase(_ lowercase: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        guard index + pattern.count <= bytes.count else { return false }
        return pattern.indices.allSatisfy {
            let byte = bytes[index + $0]
            return (byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte) == pattern[$0]
        }
    }

    /// The offset of the next `literal` lying wholly in `start..<end` (by default, to the end of input).
    private func find(_ literal: StaticString, from start: Int, before end: Int? = nil) -> Int? {
        let pattern = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        let end = min(end ?? bytes.count, bytes.count)
        guard start >= 0, start + pattern.count <= end else { return nil }
        for candidate in start...(end - pattern.count) where bytes[candidate] == pattern[0] {
            if pattern.indices.allSatisfy({ bytes[candidate + $0] == pattern[$0] }) { return candidate }
        }
        return nil
    }

    private func failure(_ reason: String) -> XMLReadError {
        XMLReadError(reason: reason, offset: index)
    }
}
