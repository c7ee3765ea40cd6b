import CallPopCore
import Testing

/// Caller names and numbers are typed by strangers: whatever they hold, a URL stays one
/// well-formed URL with the user's parameters, and an app word stays one argument.
@Suite("Hostile caller ID")
struct HostileCallerIDTests {
    static let invalidUTF8 = String(decoding: [0x4A, 0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0x6F, 0xF8] as [UInt8], as: UTF8.self)

    static let corpus: [String] = [
        "; rm -rf ~", "$(reboot)", "`id`", "\"double\" 'single'", "a&b=c", "x&admin=1", "#fragment", "?x=1", "%00",
        "%41%", "%%", "line1\nline2", "\r\nLocation: https://evil.example/", "nul\u{0}byte", "\u{0}",
        String(repeating: "A", count: 10_000), String(repeating: "&", count: 10_000),
        String(repeating: "\u{E9}", count: 10_000), invalidUTF8, "javascript:alert(1)", "file:///etc/passwd",
        "https://evil.example/", "{CALLERNUM}", "<<clid>>", "^&", "' OR 1=1 --", " spaced out ", "", "-", "--help",
        "\u{202E}gnp.exe", "\u{1F4A5}", "Zo\u{EB} \u{C5}ngstr\u{F6}m", "a\u{7F}b\u{85}c\u{2028}d", "+44 20 7123-4567",
        "\\\\server\\share", "*?[]{}|<>", "\t\t",
    ]

    static let policy = LaunchPolicy()

    /// Hostile `value` as both the caller's name and number.
    static func hostileVariables(_ value: String) -> CallVariables {
        CallVariables(
            event: CallEvent(
                callID: value, state: .ringing, direction: .incoming, remoteNumber: value, remoteName: value,
                calledNumber: value, tags: [value, value], channel: value),
            user: ukUser)
    }

    @Test("a URL target stays one well-formed URL with the user's parameters", arguments: corpus)
    func urlStaysOneURL(_ value: String) throws {
        let target = try urlTarget(
            "https://crm.example.com/search?number={CALLERNUM}&name={CALLERNAME}&short={CALLERNAME:2}&e={CALLERNUM:e164}#top")
        let plan = try target.plan(Self.hostileVariables(value), policy: Self.policy)
        let url = try #require(plan.url)
        #expect(plan.argv == ["xdg-open", url])
        #expect(try URLCheck.validate(url, allowedSchemes: ["https"]) == "https")
        #expect(url.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
        #expect(url.hasPrefix("https://crm.example.com/search?number="))
        #expect(url.hasSuffix("#top"))

        // The query has exactly the four parameters the user wrote, and each decodes to the cleaned value.
        let query = try #require(url.split(separator: "?", maxSplits: 1).last?.split(separator: "#").first)
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map {
            $0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        }
        try #require(pairs.count == 4 && pairs.allSatisfy { $0.count == 2 })
        #expect(pairs.map { $0[0] } == ["number", "name", "short", "e"])
        #expect(url.filter { $0 == "#" }.count == 1)
        let clean = UntrustedText.templateValue(value)
        #expect(percentDecode(pairs[0][1]) == clean)
        #expect(percentDecode(pairs[1][1]) == clean)
        #expect(percentDecode(pairs[2][1]) == String(clean.dropFirst(2)))
        #expect(percentDecode(pairs[3][1]) == ukUser.numberPlan.e164(clean))
    }

    @Test("every app template stays exactly one argument", arguments: corpus)
    func appWordsStayOneArgument(_ value: String) throws {
        let target = try appTarget(
            #"crm-tool --number {CALLERNUM} --name={CALLERNAME} "https://crm.example.com/?q={CALLERNAME}" '{CALLERNAME:2}' <<clid>>"#)
        let plan = try target.plan(Self.hostileVariables(value), policy: Self.policy)
        let clean = UntrustedText.templateValue(value)
        #expect(plan.argv.count == 7)
        #expect(plan.argv[0] == "crm-tool")
        #expect(plan.argv[1] == "--number")
        #expect(plan.argv[2] == clean)
        #expect(plan.argv[3] == "--name=" + clean)
        #expect(plan.argv[4] == "https://crm.example.com/?q=" + PercentEncoding.encode(clean))
        #expect(try URLCheck.validate(plan.argv[4], allowedSchemes: ["https"]) == "https")
        #expect(plan.argv[5] == String(clean.dropFirst(2)))
        #expect(plan.argv[6] == clean)
        // No argument carries a control character; the environment carries the same cleaned values.
        for arg in plan.argv { #expect(!arg.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value <= 0x9F) }) }
        #expect(plan.environment["CALLPOP_CALLERNAME"] == clean)
        #expect(plan.environment["CALLPOP_CALLERNUM"] == clean)
        #expect(plan.environment["CALLPOP_TAGS"] == UntrustedText.templateValue(value + "," + value))
    }

    @Test func controlCharactersAreStrippedBeforeExpansion() throws {
        let v = Self.hostileVariables("John\u{0}\n\r\u{1B}]0;pwned\u{7}Doe")
        #expect(try appTarget(argv: ["x", "{CALLERNAME}"]).plan(v, policy: Self.policy).argv
            == ["x", "John]0;pwnedDoe"])
        #expect(try urlTarget("https://h.example/?n={CALLERNAME}").plan(v, policy: Self.policy).url
            == "https://h.example/?n=John%5D0%3BpwnedDoe")
    }

    @Test func lengthIsCapped() throws {
        let v = Self.hostileVariables(String(repeating: "9", count: 10_000))
        let argv = try appTarget(argv: ["x", "{CALLERNAME}", "{CALLERNUM:e164}"]).plan(v, policy: Self.policy).argv
        #expect(argv[1].count == UntrustedText.valueLimit)
        #expect(argv[2] == String(repeating: "9", count: UntrustedText.valueLimit))
        let url = try #require(try urlTarget("https://h.example/?n={CALLERNAME}").plan(v, policy: Self.policy).url)
        #expect(url.count == "https://h.example/?n=".count + UntrustedText.valueLimit)
    }

    @Test func invalidUTF8ArrivesAsReplacementCharacters() throws {
        let plan = try urlTarget("https://h.example/?n={CALLERNAME}")
            .plan(Self.hostileVariables(String(decoding: [0x4A, 0xFF, 0x6F] as [UInt8], as: UTF8.self)), policy: Self.policy)
        #expect(plan.url == "https://h.example/?n=J%EF%BF%BDo")
    }

    @Test func aValueCannotChangeTheScheme() throws {
        // Even a template that is nothing but a variable cannot be made to open javascript: or file:.
        let bare = try urlTarget("{CALLERNAME}")
        for value in ["javascript:alert(1)", "file:///etc/passwd", "https://evil.example/"] {
            #expect(throws: URLCheck.Refusal.noScheme) { try bare.plan(Self.hostileVariables(value), policy: Self.policy) }
        }
        // An app argument that is a URL is checked against http/https.
        let app = try appTarget(argv: ["browser", "https://{CALLERNAME}"])
        #expect(throws: URLCheck.Refusal.missingHost) { try app.plan(Self.hostileVariables(""), policy: Self.policy) }
    }
}

/// `%XX` sequences decoded as UTF-8 (test helper; the product never decodes).
func percentDecode(_ text: String) -> String? {
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let b = utf8.popFirst() {
        if b == UInt8(ascii: "%") {
            guard utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            bytes.append(v)
            utf8 = utf8.dropFirst(2)
        } else {
            bytes.append(b)
        }
    }
    return String(validating: bytes, as: UTF8.self)
}
