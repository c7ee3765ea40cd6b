import CallPopSIP
import Testing

/// The XML the dialog-info reader accepts and refuses beyond the RFC and recorded documents.
@Suite struct DialogInfoXMLTests {
    private func parse(_ text: String) throws -> DialogInfo {
        try DialogInfoParser.parse(Array(text.utf8))
    }

    /// The reason a document is refused, or `nil` when it parses.
    private func refusal(_ bytes: [UInt8]) -> String? {
        do {
            _ = try DialogInfoParser.parse(bytes)
            return nil
        } catch {
            return error.detail
        }
    }

    @Test func readsCDATAAsText() throws {
        let info = try parse("""
            <dialog-info version="1"><dialog id="a"><state><![CDATA[early]]></state>\
            <remote><identity>sip:<![CDATA[+49<30>&]]>1@h</identity></remote></dialog></dialog-info>
            """)
        #expect(info.dialogs.first?.state == .early)
        #expect(info.dialogs.first?.remote.identity == "sip:+49<30>&1@h")
    }

    @Test func matchesPrefixedElementsByLocalName() throws {
        let prefixed = try parse("""
            <d:dialog-info xmlns:d="urn:ietf:params:xml:ns:dialog-info" version="3" state="partial" entity="sip:201@h">
            <d:dialog id="a" direction="recipient"><d:state>early</d:state>
            <d:remote><d:identity display="Bob">sip:202@h</d:identity><d:target uri="sip:202@10.0.0.2"/></d:remote></d:dialog>
            </d:dialog-info>
            """)
        #expect(prefixed == DialogInfo(version: 3, completeness: .partial, entity: "sip:201@h", dialogs: [
            DialogInfo.Dialog(id: "a", direction: .recipient, state: .early,
                              remote: .init(identity: "sip:202@h", display: "Bob", target: "sip:202@10.0.0.2")),
        ]))
        let vendorIdentity = try parse("""
            <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" xmlns:sa="urn:vendor:sa" version="4">
            <dialog id="b"><state>confirmed</state><local><sa:identity display="Alice">sip:201@h</sa:identity></local></dialog>
            </dialog-info>
            """)
        #expect(vendorIdentity.dialogs.first?.local == .init(identity: "sip:201@h", display: "Alice"))
    }

    @Test func resolvesPredefinedEntitiesAndCharacterReferences() throws {
        let info = try parse("""
            <dialog-info version="1"><dialog id='a&amp;b' call-id='c"d'><state>&#x65;arly</state>\
            <remote><identity display="&#65;&#x42;&amp;&lt;&gt;&quot;&apos;&#x20AC;&#128512;">sip:&#x31;@h</identity></remote>\
            </dialog></dialog-info>
            """)
        let dialog = try #require(info.dialogs.first)
        #expect(dialog.id == "a&b")
        #expect(dialog.callID == "c\"d")
        #expect(dialog.state == .early)
        #expect(dialog.remote.display == "AB&<>\"'€😀")
        #expect(dialog.remote.identity == "sip:1@h")
    }

    @Test func skipsDeclarationCommentsAndProcessingInstructions() throws {
        let text = "\u{FEFF}<?xml version='1.0' encoding='utf-8' standalone='yes'?>\r\n<!-- before --><?vendor x=\"1\"?>"
            + "<dialog-info version=\"5\"><!-- inside --><dialog id=\"a\"><state>con<!-- split -->firmed</state></dialog>"
            + "<?vendor y?></dialog-info>\n<!-- after -->\n"
        let info = try parse(text)
        #expect(info.version == 5)
        #expect(info.dialogs.map(\.state) == [.confirmed])
    }

    @Test func normalisesWhiteSpaceInAttributesAndLineEndsInText() throws {
        let info = try parse("<dialog-info version=\"1\"><dialog id=\"a\"><state>early</state>"
            + "<remote><identity display=\"Alice\r\n\tAgent\">\r\nsip:1@h\r</identity></remote></dialog></dialog-info>")
        #expect(info.dialogs.first?.remote.display == "Alice  Agent")
        #expect(info.dialogs.first?.remote.identity == "sip:1@h")
    }

    @Test(arguments: [
        ("<!DOCTYPE dialog-info><dialog-info version=\"1\"/>", "DOCTYPE refused"),
        ("<?xml version=\"1.0\"?>\n<!doctype dialog-info SYSTEM \"http://x/d.dtd\"><dialog-info version=\"1\"/>", "DOCTYPE refused"),
        ("<dialog-info version=\"1\"><!DOCTYPE x></dialog-info>", "DOCTYPE refused"),
        ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><dialog-info version=\"1\"/>", "only UTF-8"),
        (" <?xml version=\"1.0\"?><dialog-info version=\"1\"/>", "XML declaration not at the start"),
        ("<?xml version=\"1.0a\"?><dialog-info version=\"1\"/>", "XML version \"1.0a\" is not supported"),
        ("<?xml encoding=\"UTF-8\" version=\"1.0\"?><dialog-info version=\"1\"/>", "XML declaration without a version"),
        ("<dialog-info version=\"1\"><dialog id=\"a\"></state></dialog-info>", "end tag </state> where </dialog> was expected"),
        ("<x:dialog-info version=\"1\"/>", "namespace prefix x is not declared"),
        ("<dialog-info version=\"1\" version=\"2\"/>", "duplicate attribute version"),
        ("<dialog-info version=1/>", "expected a quoted value"),
        ("<dialog-info version=\"1\" entity=\"a<b\"/>", "< inside an attribute value"),
        ("<dialog-info version=\"1\"/><dialog-info version=\"2\"/>", "a second root element"),
        ("<dialog-info version=\"1\"/>trailing", "content after the root element"),
        ("<dialog-info version=\"1\">&#0;</dialog-info>", "invalid character reference"),
        ("<dialog-info version=\"1\">&#xD800;</dialog-info>", "invalid character reference"),
        ("<dialog-info version=\"1\">&#999999999;</dialog-info>", "invalid character reference"),
        ("<dialog-info version=\"1\">&amp</dialog-info>", "malformed or unterminated reference"),
        ("<dialog-info version=\"1\">a]]>b</dialog-info>", "\"]]>\" in text"),
        ("<dialog-info version=\"1\"><!-- a -- b --></dialog-info>", "\"--\" inside a comment"),
        ("<dialog-info version=\"1\"><!-- open</dialog-info>", "unterminated comment"),
        ("<dialog-info version=\"1\"><![CDATA[open</dialog-info>", "unterminated CDATA section"),
        ("<![CDATA[x]]><dialog-info version=\"1\"/>", "CDATA section outside the root element"),
        ("<dialog-info version=\"1\">\u{1}</dialog-info>", "character not allowed in XML"),
        ("<dialog-info version=\"1\"><a:b:c/></dialog-info>", "malformed qualified name"),
    ])
    func refusesWithAReason(text: String, reason: String) {
        let actual = refusal(Array(text.utf8))
        #expect(actual?.contains(reason) == true, "\(text): \(actual ?? "accepted")")
    }

    @Test func refusesInvalidUTF8() {
        let before = Array("<dialog-info version=\"1\"><dialog id=\"Jürgen ".utf8)
        let bytes = before + [0xC3, 0x28] + Array("\"/></dialog-info>".utf8)
        #expect(refusal(bytes) == "document is not valid UTF-8 (at byte \(before.count))")
    }

    @Test func refusesTooManyElements() {
        let text = "<dialog-info version=\"1\">" + String(repeating: "<a/>", count: 64 * DialogInfoParser.maxDialogs) + "</dialog-info>"
        #expect(refusal(Array(text.utf8))?.contains("more than 16384 elements") == true)
    }

    /// Every proper prefix of a complete document is truncated and must be refused.
    @Test func refusesEveryTruncation() throws {
        let whole = Array(DialogInfoParserTests.rfcConfirmed.utf8)
        _ = try DialogInfoParser.parse(whole)
        for length in 0..<whole.count {
            #expect(refusal(Array(whole[..<length])) != nil, "prefix of \(length) bytes accepted")
        }
    }
}
