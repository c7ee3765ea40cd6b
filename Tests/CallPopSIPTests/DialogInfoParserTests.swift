import CallPopSIP
import CallPopTestSupport
import Testing

@Suite struct DialogInfoParserTests {
    /// After RFC 4235 section 6 (examples retyped): a trying initiator dialog, minimal.
    static let rfcTrying = """
        <?xml version="1.0"?>
        <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
                     version="0" state="full" entity="sip:alice@example.com">
          <dialog id="as7d900as8" call-id="a84b4c76e66710" local-tag="1928301774" direction="initiator">
            <state>trying</state>
          </dialog>
        </dialog-info>
        """

    /// After RFC 4235 section 6: a confirmed dialog with identities, targets with params, extensions.
    static let rfcConfirmed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="partial" entity="sip:alice@example.com">
          <dialog id="as7d900as8" call-id="a84b4c76e66710" local-tag="1928301774" remote-tag="456887766" direction="initiator">
            <state event="remote-bye" code="200">confirmed</state>
            <duration>274</duration>
            <local>
              <identity display="Alice">sip:alice@example.com</identity>
              <target uri="sip:alice@pc33.example.com">
                <param pname="+sip.rendering" pval="yes"/>
              </target>
            </local>
            <remote>
              <identity display="Bob">sip:bob@example.org</identity>
              <target uri="sip:bobster@phone21.example.org"/>
            </remote>
          </dialog>
        </dialog-info>
        """

    @Test func parsesRFCExamples() throws {
        let trying = try DialogInfoParser.parse(Array(Self.rfcTrying.utf8))
        #expect(trying == DialogInfo(version: 0, completeness: .full, entity: "sip:alice@example.com", dialogs: [
            DialogInfo.Dialog(id: "as7d900as8", callID: "a84b4c76e66710", localTag: "1928301774", direction: .initiator, state: .trying),
        ]))
        let confirmed = try DialogInfoParser.parse(Array(Self.rfcConfirmed.utf8))
        #expect(confirmed == DialogInfo(version: 1, completeness: .partial, entity: "sip:alice@example.com", dialogs: [
            DialogInfo.Dialog(
                id: "as7d900as8", callID: "a84b4c76e66710", localTag: "1928301774", remoteTag: "456887766",
                direction: .initiator, state: .confirmed, stateEvent: "remote-bye", stateCode: 200,
                local: .init(identity: "sip:alice@example.com", display: "Alice", target: "sip:alice@pc33.example.com"),
                remote: .init(identity: "sip:bob@example.org", display: "Bob", target: "sip:bobster@phone21.example.org")),
        ]))
    }

    @Test func parsesAsteriskEarlyDocument() throws {
        let notify = try recordedNotifies("asterisk-22/inbound-answered/dialog-201.txt")[1]
        let info = try DialogInfoParser.parse(notify.body)
        #expect(info == DialogInfo(version: 1, completeness: .full, entity: "sip:201@127.0.0.1:5060", dialogs: [
            DialogInfo.Dialog(
                id: "201", direction: .recipient, state: .early,
                local: .init(identity: "sip:201@127.0.0.1", display: "Alice Agent", target: "sip:201@127.0.0.1:5060"),
                remote: .init(identity: "sip:+441234567890@127.0.0.1", display: "John Doe", target: "sip:+441234567890@127.0.0.1")),
        ]))
    }

    @Test func parsesKamailioTryingCaseInsensitively() throws {
        let notify = try recordedNotifies("kamailio-5.6/outbound-answered/dialog-201.txt")[1]
        let info = try DialogInfoParser.parse(notify.body)
        #expect(info.version == 2)
        #expect(info.dialogs.count == 1)
        #expect(info.dialogs.first?.state == .trying)
        #expect(info.dialogs.first?.direction == .initiator)
        #expect(info.dialogs.first?.remote.identity == "sip:00493012345678@127.0.0.1")
        #expect(info.dialogs.first?.remote.display == nil)
    }

    @Test(arguments: recordedDialogFiles)
    func parsesEveryRecordedBody(file: String) throws {
        for notify in try recordedNotifies(file) where !notify.body.isEmpty {
            let info = try DialogInfoParser.parse(notify.body)
            #expect(info.dialogs.allSatisfy { $0.state != nil })
        }
    }

    @Test func matchesPrefixedElementsByLocalName() throws {
        let prefixed = try DialogInfoParser.parse(Array("""
            <d:dialog-info xmlns:d="urn:ietf:params:xml:ns:dialog-info" version="3" state="partial" entity="sip:201@h">
            <d:dialog id="a" direction="recipient"><d:state>early</d:state>
            <d:remote><d:identity display="Bob">sip:202@h</d:identity><d:target uri="sip:202@10.0.0.2"/></d:remote></d:dialog>
            </d:dialog-info>
            """.utf8))
        #expect(prefixed == DialogInfo(version: 3, completeness: .partial, entity: "sip:201@h", dialogs: [
            DialogInfo.Dialog(id: "a", direction: .recipient, state: .early,
                              remote: .init(identity: "sip:202@h", display: "Bob", target: "sip:202@10.0.0.2")),
        ]))
        let vendorIdentity = try DialogInfoParser.parse(Array("""
            <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" xmlns:sa="urn:vendor:sa" version="4">
            <dialog id="b"><state>confirmed</state><local><sa:identity display="Alice">sip:201@h</sa:identity></local></dialog>
            </dialog-info>
            """.utf8))
        #expect(vendorIdentity.dialogs.first?.local == .init(identity: "sip:201@h", display: "Alice"))
    }

    @Test func parsesSeveralDialogsInOneDocument() throws {
        let text = """
            <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="7" state="full" entity="sip:201@x">
            <dialog id="a" direction="recipient"><state>early</state></dialog>
            <dialog id="b" direction="initiator"><state>CONFIRMED</state></dialog>
            <dialog id="c"><state>sleeping</state></dialog>
            </dialog-info>
            """
        let info = try DialogInfoParser.parse(Array(text.utf8))
        #expect(info.dialogs.map(\.id) == ["a", "b", "c"])
        #expect(info.dialogs.map(\.state) == [.early, .confirmed, nil])
    }

    @Test(arguments: [
        ("", "empty"),
        ("<dialog-info version=\"1\"><dialog id=\"a\"><state>early", "truncated"),
        ("<dialog-info><dialog id=\"a\"/></dialog-info>", "no version"),
        ("<dialog-info version=\"-3\"></dialog-info>", "negative version"),
        ("<presence version=\"1\"/>", "wrong root"),
        ("<dialog-info version=\"1\"><dialog><state>early</state></dialog></dialog-info>", "dialog without id"),
        ("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><dialog-info version=\"1\">&lol2;</dialog-info>", "entity expansion"),
        ("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><dialog-info version=\"1\"><dialog id=\"&x;\"/></dialog-info>", "external entity"),
        ("<dialog-info version=\"1\">&undefined;</dialog-info>", "undefined entity"),
        ("\u{0}\u{1}\u{2}garbage<<<>>>", "binary garbage"),
    ])
    func rejectsHostileDocuments(text: String, why: String) {
        #expect(throws: SIPError.self, "\(why)") { try DialogInfoParser.parse(Array(text.utf8)) }
    }

    @Test func rejectsDeepNestingAndHugeDocuments() {
        let deep = "<dialog-info version=\"1\">" + String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000) + "</dialog-info>"
        #expect(throws: SIPError.self) { try DialogInfoParser.parse(Array(deep.utf8)) }
        let huge = "<dialog-info version=\"1\">" + String(repeating: " ", count: DialogInfoParser.maxBytes) + "</dialog-info>"
        #expect(throws: SIPError.self) { try DialogInfoParser.parse(Array(huge.utf8)) }
        let many = "<dialog-info version=\"1\">" + (0...DialogInfoParser.maxDialogs).map { "<dialog id=\"d\($0)\"><state>early</state></dialog>" }.joined() + "</dialog-info>"
        #expect(throws: SIPError.self) { try DialogInfoParser.parse(Array(many.utf8)) }
    }

    @Test func stripsControlCharactersFromDisplayNames() throws {
        let text = "<dialog-info version=\"1\"><dialog id=\"a\"><state>early</state><remote><identity display=\"Ev&#9;il&#10;\">sip:1@h</identity></remote></dialog></dialog-info>"
        let info = try DialogInfoParser.parse(Array(text.utf8))
        #expect(info.dialogs.first?.remote.display == "Evil")
    }

    @Test func randomAndMutatedBytesNeverCrash() throws {
        var generator = SplitMix64(seed: 99)
        let original = Array(Self.rfcConfirmed.utf8)
        for round in 0..<1000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = []
                for _ in 0..<Int.random(in: 0...400, using: &generator) { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
            } else {
                bytes = original
                for _ in 0..<6 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            }
            _ = try? DialogInfoParser.parse(bytes)
        }
    }
}
