import CallPopXML
import CallPopTestSupport
import Testing

/// The XML `XMLReader` accepts and refuses, event by event, independent of any document type.
@Suite struct XMLReaderTests {
    private static let limits = XMLLimits(maxBytes: 64 * 1024, maxDepth: 16, maxElements: 1000, maxAttributes: 16)

    /// All events of `text`, or the error.
    private static func events(_ bytes: [UInt8], limits: XMLLimits = limits) throws(XMLReadError) -> [XMLEvent] {
        var reader = try XMLReader(bytes, limits: limits)
        var events: [XMLEvent] = []
        while let event = try reader.next() { events.append(event) }
        return events
    }

    private static func events(_ text: String) throws -> [XMLEvent] { try events(Array(text.utf8)) }

    /// The text events joined, for assertions about content.
    private static func text(_ events: [XMLEvent]) -> String {
        events.map { if case .text(let text) = $0 { text } else { "" } }.joined()
    }

    /// The reason a document is refused, or `nil` when it is read to the end.
    private static func refusal(_ bytes: [UInt8], limits: XMLLimits = limits) -> String? {
        do {
            _ = try events(bytes, limits: limits)
            return nil
        } catch {
            return error.description
        }
    }

    private static func name(_ local: String, _ prefix: String? = nil) -> XMLName { XMLName(prefix: prefix, local: local) }

    @Test func reportsStartTextAndEndWithSelfClosingAsBoth() throws {
        let events = try Self.events("<r a=\"1\"><e/>x</r>")
        #expect(events == [
            .start(Self.name("r"), [XMLAttribute(name: Self.name("a"), value: "1")]),
            .start(Self.name("e"), []), .end(Self.name("e")),
            .text("x"),
            .end(Self.name("r")),
        ])
    }

    @Test func readsCDATAAsText() throws {
        let events = try Self.events("<r><i>sip:<![CDATA[+49<30>&]]>1@h</i></r>")
        #expect(Self.text(events) == "sip:+49<30>&1@h")
    }

    @Test func splitsPrefixesAndHidesNamespaceDeclarations() throws {
        let events = try Self.events("<d:multistatus xmlns:d=\"DAV:\" xmlns=\"urn:x\" d:a=\"1\"><d:href>/x</d:href></d:multistatus>")
        #expect(events.first == .start(Self.name("multistatus", "d"), [XMLAttribute(name: Self.name("a", "d"), value: "1")]))
        #expect(events.dropFirst().first == .start(Self.name("href", "d"), []))
    }

    @Test func resolvesPredefinedEntitiesAndCharacterReferences() throws {
        let events = try Self.events("<r id='a&amp;b' q='c\"d' n=\"&#65;&#x42;&amp;&lt;&gt;&quot;&apos;&#x20AC;&#128512;\">&#x65;arly</r>")
        guard case .start(_, let attributes)? = events.first else { Issue.record("no start event"); return }
        #expect(attributes.value(of: "id") == "a&b")
        #expect(attributes.value(of: "q") == "c\"d")
        #expect(attributes.value(of: "n") == "AB&<>\"'€😀")
        #expect(Self.text(events) == "early")
    }

    @Test func skipsDeclarationCommentsAndProcessingInstructions() throws {
        let text = "\u{FEFF}<?xml version='1.0' encoding='utf-8' standalone='yes'?>\r\n<!-- before --><?vendor x=\"1\"?>"
            + "<r v=\"5\"><!-- inside --><s>con<!-- split -->firmed</s><?vendor y?></r>\n<!-- after -->\n"
        let events = try Self.events(text)
        #expect(events.count == 6)
        #expect(Self.text(events) == "confirmed")
    }

    @Test func normalisesWhiteSpaceInAttributesAndLineEndsInText() throws {
        let events = try Self.events("<r d=\"Alice\r\n\tAgent\">\r\nsip:1@h\r</r>")
        #expect(events.first == .start(Self.name("r"), [XMLAttribute(name: Self.name("d"), value: "Alice  Agent")]))
        #expect(Self.text(events) == "\nsip:1@h\n")
    }

    @Test(arguments: [
        ("<!DOCTYPE r><r/>", "DOCTYPE refused"),
        ("<?xml version=\"1.0\"?>\n<!doctype r SYSTEM \"http://x/d.dtd\"><r/>", "DOCTYPE refused"),
        ("<r><!DOCTYPE x></r>", "DOCTYPE refused"),
        ("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>", "DOCTYPE refused"),
        ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r/>", "only UTF-8"),
        (" <?xml version=\"1.0\"?><r/>", "XML declaration not at the start"),
        ("<?xml version=\"1.0a\"?><r/>", "XML version \"1.0a\" is not supported"),
        ("<?xml version=\"1.\u{202E}0\"?><r/>", "XML version \"1.???0\" is not supported"),
        ("<?xml encoding=\"UTF-8\" version=\"1.0\"?><r/>", "XML declaration without a version"),
        ("<r><s></t></r>", "end tag </t> where </s> was expected"),
        ("<x:r/>", "namespace prefix x is not declared"),
        ("<r v=\"1\" v=\"2\"/>", "duplicate attribute v"),
        ("<r v=1/>", "expected a quoted value"),
        ("<r v=\"a<b\"/>", "< inside an attribute value"),
        ("<r/><r/>", "a second root element"),
        ("<r/>trailing", "content after the root element"),
        ("text<r/>", "text before the root element"),
        ("", "document has no root element"),
        ("<r>&#0;</r>", "invalid character reference"),
        ("<r>&#xD800;</r>", "invalid character reference"),
        ("<r>&#999999999;</r>", "invalid character reference"),
        ("<r>&amp</r>", "malformed or unterminated reference"),
        ("<r>&undefined;</r>", "undefined entity"),
        ("<r>a]]>b</r>", "\"]]>\" in text"),
        ("<r><!-- a -- b --></r>", "\"--\" inside a comment"),
        ("<r><!-- open</r>", "unterminated comment"),
        ("<r><![CDATA[open</r>", "unterminated CDATA section"),
        ("<![CDATA[x]]><r/>", "CDATA section outside the root element"),
        ("<r>\u{1}</r>", "character not allowed in XML"),
        ("<r><a:b:c/></r>", "malformed qualified name"),
        ("<r><s>", "document ends inside <s> (truncated)"),
    ])
    func refusesWithAReason(text: String, reason: String) {
        let actual = Self.refusal(Array(text.utf8))
        #expect(actual?.contains(reason) == true, "\(text.debugDescription): \(actual ?? "accepted")")
    }

    @Test func refusesInvalidUTF8() {
        let before = Array("<r id=\"Jürgen ".utf8)
        let bytes = before + [0xC3, 0x28] + Array("\"/>".utf8)
        #expect(Self.refusal(bytes) == "document is not valid UTF-8 (at byte \(before.count))")
    }

    @Test func enforcesEveryLimit() {
        let small = XMLLimits(maxBytes: 200, maxDepth: 3, maxElements: 5, maxAttributes: 2)
        #expect(Self.refusal(Array("<r>\(String(repeating: " ", count: 200))</r>".utf8), limits: small)?.contains("over the 200-byte limit") == true)
        #expect(Self.refusal(Array("<a><b><c><d/></c></b></a>".utf8), limits: small)?.contains("nested deeper than 3") == true)
        #expect(Self.refusal(Array("<r><a/><a/><a/><a/><a/></r>".utf8), limits: small)?.contains("more than 5 elements") == true)
        #expect(Self.refusal(Array("<r a=\"1\" b=\"2\" c=\"3\"/>".utf8), limits: small)?.contains("more than 2 attributes") == true)
        #expect(Self.refusal(Array("<a><b><c/></b><b/><b/></a>".utf8), limits: small) == nil)
    }

    /// Every proper prefix of a complete document is truncated and must be refused.
    @Test func refusesEveryTruncation() throws {
        let whole = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <d:multistatus xmlns:d="DAV:"><d:response><d:href>/a%20b/</d:href><!-- c -->\
            <d:propstat><d:prop><d:getetag>"e&amp;1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status>\
            </d:propstat></d:response><![CDATA[x]]></d:multistatus>
            """.utf8)
        _ = try Self.events(whole)
        for length in 0..<whole.count {
            #expect(Self.refusal(Array(whole[..<length])) != nil, "prefix of \(length) bytes accepted")
        }
    }

    /// Random bytes and mutated documents: the reader ends with events or an error, never traps,
    /// and its work is linear (a hostile document cannot make it loop).
    @Test func survivesRandomAndMutatedBytes() {
        var generator = SplitMix64(seed: 0x584D_4C)
        let seed = Array("<r xmlns:p=\"u\"><p:a b='c'>t&amp;&#x41;<![CDATA[d]]></p:a><!-- k --><e/></r>".utf8)
        var accepted = 0
        for round in 0..<5000 {
            let bytes = round % 3 == 0
                ? ByteMutator.random(count: Int.random(in: 0...300, using: &generator), using: &generator)
                : ByteMutator.mutate(seed, alphabet: ByteMutator.markupAlphabet, using: &generator)
            if Self.refusal(bytes) == nil { accepted += 1 }
        }
        // Both outcomes must occur, or the mutations are not exercising the reader.
        #expect(accepted > 100 && accepted < 5000, "accepted \(accepted) of 5000")
    }
}
