import CallPopCore
import CallPopTestSupport
import Testing

@Suite("Template expansion and percent-encoding")
struct TemplateExpansionTests {
    @Test func encodingFollowsRFC3986Unreserved() {
        #expect(PercentEncoding.encode("John Doe") == "John%20Doe")
        #expect(PercentEncoding.encode("+442071234567") == "%2B442071234567")
        #expect(PercentEncoding.encode("AZaz09-._~") == "AZaz09-._~")
        #expect(PercentEncoding.encode(":/?#[]@!$&'()*+,;=") == "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D")
        #expect(PercentEncoding.encode("100%") == "100%25")
        #expect(PercentEncoding.encode("\"<>\\^`{|}") == "%22%3C%3E%5C%5E%60%7B%7C%7D")
        #expect(PercentEncoding.encode("") == "")
    }

    @Test func encodingWritesUTF8Bytes() {
        // Composed characters written as scalars so the source file's normalisation cannot matter.
        #expect(PercentEncoding.encode("Zo\u{EB} \u{C5}ngstr\u{F6}m") == "Zo%C3%AB%20%C3%85ngstr%C3%B6m")
        #expect(PercentEncoding.encode("\u{260E}") == "%E2%98%8E")
        #expect(PercentEncoding.encode("\u{1F600}") == "%F0%9F%98%80")
        // Decomposed input is encoded as given, byte for byte.
        #expect(PercentEncoding.encode("e\u{301}") == "e%CC%81")
    }

    /// The buffer form a URL expansion uses writes what the string form returns, byte for byte,
    /// after what the buffer held already.
    @Test func encodingIntoABufferMatchesTheStringForm() {
        var random = SplitMix64(seed: 15)
        let alphabet: [String] = ["a", "Z", "0", "-", "~", " ", "+", "%", "/", "?", "#", "&", "\u{0}", "\u{7F}", "\u{EB}",
                                  "e\u{301}", "\u{260E}", "\u{1F600}", "\u{FFFD}"]
        for _ in 0..<500 {
            let value = (0..<Int(random.next() % 12)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }.joined()
            var out = Array("prefix=".utf8)
            PercentEncoding.encode(value, into: &out)
            #expect(out == Array(("prefix=" + PercentEncoding.encode(value)).utf8), "\(Array(value.utf8))")
        }
    }

    @Test func urlExpansionEncodesValuesAndKeepsStaticText() throws {
        let t = try template("https://crm.example.com/a%20b/?name={CALLERNAME}&n={CALLERNUM}+x&sp=%2B")
        let v = variables(name: "Zo\u{EB} \u{C5}ngstr\u{F6}m")
        #expect(t.expand(v, encode: true)
            == "https://crm.example.com/a%20b/?name=Zo%C3%AB%20%C3%85ngstr%C3%B6m&n=%2B442071234567+x&sp=%2B")
    }

    @Test func rawExpansionInsertsCleanedValues() throws {
        let t = try template("{CALLERNAME} <{CALLERNUM}> type={CALLTYPE} tags={TAGS} ch={CHANNEL} did={CALLEDNUM} id={CALLID} me={USERNAME}/{USERNUM}")
        #expect(t.expand(variables(), encode: false)
            == "John Doe <+442071234567> type=incoming tags=vip,sales ch=PJSIP/201-00000001 did=5550100 id=1700000000.12 me=John Doe/201")
    }

    @Test func dropFirstRemovesLeadingCharacters() throws {
        let v = variables()
        #expect(try template("{CALLERNUM:1}").expand(v, encode: false) == "442071234567")
        #expect(try template("{CALLERNUM:3}").expand(v, encode: false) == "2071234567")
        #expect(try template("{CALLERNUM:0}").expand(v, encode: false) == "+442071234567")
        #expect(try template("{CALLERNUM:99}").expand(v, encode: false) == "")
        #expect(try template("{CALLERNAME:5}").expand(v, encode: false) == "Doe")
    }

    @Test func numberFormsExpandThroughTheUsersPlan() throws {
        let v = variables(number: "+44 20 7123-4567", called: "020 7946 0000")
        #expect(try template("{CALLERNUM:e164}").expand(v, encode: true) == "%2B442071234567")
        #expect(try template("{CALLERNUM:national}").expand(v, encode: true) == "02071234567")
        #expect(try template("{CALLERNUM:digits}").expand(v, encode: true) == "442071234567")
        #expect(try template("{CALLEDNUM:e164}").expand(v, encode: false) == "+442079460000")
        #expect(try template("{USERNUM:e164}").expand(v, encode: false) == "201")
    }

    @Test func eventUserOverridesConfiguredUser() {
        var e = event("c1", .ringing)
        #expect(CallVariables(event: e, user: ukUser)[.userNumber] == "201")
        #expect(CallVariables(event: e, user: ukUser)[.userName] == "John Doe")
        e.userNumber = "305"
        e.userName = "Bob"
        #expect(CallVariables(event: e, user: ukUser)[.userNumber] == "305")
        #expect(CallVariables(event: e, user: ukUser)[.userName] == "Bob")
    }

    @Test func environmentCarriesEveryVariable() {
        let env = Dictionary(uniqueKeysWithValues: variables().environment.map { ($0.name, $0.value) })
        #expect(env == [
            "CALLPOP_CALLERNUM": "+442071234567", "CALLPOP_CALLERNAME": "John Doe", "CALLPOP_USERNUM": "201",
            "CALLPOP_USERNAME": "John Doe", "CALLPOP_CALLTYPE": "incoming", "CALLPOP_TAGS": "vip,sales",
            "CALLPOP_CHANNEL": "PJSIP/201-00000001", "CALLPOP_CALLEDNUM": "5550100", "CALLPOP_CALLID": "1700000000.12",
            // Caller lookup's variables are there too, empty while nobody is known.
            "CALLPOP_CONTACTNAME": "", "CALLPOP_CONTACTORG": "", "CALLPOP_CONTACTURL": "", "CALLPOP_CONTACTID": "",
            "CALLPOP_DIRECTORY": "",
        ])
    }

    @Test func cleanRemovesControlsBidiAndSeparators() {
        #expect(UntrustedText.templateValue("a\u{0}b\nc\rd\te\u{1B}[31mf\u{7F}g\u{85}h\u{9F}i") == "abcde[31mfghi")
        #expect(UntrustedText.templateValue("\u{202E}evil\u{202C}\u{200E}\u{200F}\u{2066}x\u{2069}") == "evilx")
        #expect(UntrustedText.templateValue("line\u{2028}para\u{2029}") == "linepara")
        #expect(UntrustedText.templateValue("Zo\u{EB} \u{C5}ngstr\u{F6}m") == "Zo\u{EB} \u{C5}ngstr\u{F6}m")
    }

    @Test func cleanCapsLength() {
        #expect(UntrustedText.valueLimit == 256)
        let long = String(repeating: "7", count: 10_000)
        #expect(UntrustedText.templateValue(long) == String(repeating: "7", count: 256))
        // Stripped characters do not count towards the cap.
        let padded = String(repeating: "\u{0}", count: 300) + String(repeating: "a", count: 300)
        #expect(UntrustedText.templateValue(padded) == String(repeating: "a", count: 256))
    }
}
