import CallPopCore
import CallPopTestSupport
import Testing

@Suite("URL check")
struct URLCheckTests {
    let web: Set<String> = ["http", "https"]

    func refusal(_ url: String, _ schemes: Set<String> = ["http", "https"]) -> URLCheck.Refusal? {
        do {
            try URLCheck.validate(url, allowedSchemes: schemes)
            return nil
        } catch {
            return error
        }
    }

    @Test("well-formed web URLs pass and return the lower-cased scheme", arguments: [
        ("https://example.com/", "https"),
        ("http://host/page?a=1&b=%2B&c=%e2%98%8e#frag", "http"),
        ("HTTPS://Example.COM", "https"),
        ("https://user@host:8443/a;b,c/*(x)!$'~?q=[1]", "https"),
        ("https://crm.example.com/tickets/new?To=John%20Doe&Subject=New%20Ticket%20from%20John%20Doe", "https"),
    ])
    func accepted(_ url: String, _ scheme: String) throws {
        #expect(try URLCheck.validate(url, allowedSchemes: web) == scheme)
    }

    @Test func schemesOutsideTheAllowListAreRefused() {
        #expect(refusal("javascript:alert(1)") == .schemeNotAllowed("javascript"))
        #expect(refusal("JavaScript:alert(1)") == .schemeNotAllowed("javascript"))
        #expect(refusal("file:///etc/passwd") == .schemeNotAllowed("file"))
        #expect(refusal("data:text/html,x") == .schemeNotAllowed("data"))
        #expect(refusal("ftp://host/") == .schemeNotAllowed("ftp"))
        #expect(refusal("tel:+442071234567") == .schemeNotAllowed("tel"))
    }

    @Test func configuredSchemesAreAllowed() throws {
        #expect(try URLCheck.validate("tel:%2B442071234567", allowedSchemes: ["tel"]) == "tel")
        #expect(try URLCheck.validate("x-crm+v1.app:open?n=1", allowedSchemes: ["x-crm+v1.app"]) == "x-crm+v1.app")
        // Allowing a scheme never allows the default ones by accident.
        #expect(refusal("https://host/", ["tel"]) == .schemeNotAllowed("https"))
    }

    @Test("text without a valid scheme is refused", arguments: [
        "", "example.com/x", "//host/x", ":foo", "1http://x", "-a:b", "ht tp://x", "\u{E9}http://x", " https://x",
    ])
    func noScheme(_ url: String) {
        #expect(refusal(url) == .noScheme)
    }

    @Test("whitespace and controls are refused", arguments: [
        "https://a.example/ x", "https://a.example/\tx", "https://a.example/\nx", "https://a.example/\r",
        "https://a.example/\u{0}", "https://a.example/\u{7F}", "https://a.example/\u{1B}", "https://a.example/x ",
    ])
    func whitespace(_ url: String) {
        #expect(refusal(url) == .whitespaceOrControl)
    }

    @Test("bad percent escapes are refused", arguments: [
        "https://a.example/%", "https://a.example/%4", "https://a.example/%zz", "https://a.example/%%41", "https://a.example/?q=%G0",
    ])
    func badEscape(_ url: String) {
        #expect(refusal(url) == .invalidCharacter("%"))
    }

    @Test("characters RFC 3986 does not allow are refused", arguments: [
        "https://a.example/<script>", "https://a.example/\"", "https://a.example/{x}", "https://a.example/a|b",
        "https://a.example/a\\b", "https://a.example/^", "https://a.example/`", "https://a.example/Zo\u{EB}",
    ])
    func invalidCharacters(_ url: String) {
        guard case .invalidCharacter? = refusal(url) else {
            Issue.record("\(url) was not refused for an invalid character: \(String(describing: refusal(url)))")
            return
        }
    }

    @Test("web URLs need a host", arguments: ["http:foo", "https:/host", "https:///path", "http://", "https://?q=1", "https://#x"])
    func missingHost(_ url: String) {
        #expect(refusal(url) == .missingHost)
    }

    @Test func refusalsReadWell() {
        #expect(URLCheck.Refusal.noScheme.description == "not an absolute URL (no scheme)")
        #expect(URLCheck.Refusal.schemeNotAllowed("file").description == "scheme 'file' is not allowed (see [launch] url_schemes)")
        #expect(URLCheck.Refusal.whitespaceOrControl.description == "whitespace or a control character in the URL")
        #expect(URLCheck.Refusal.invalidCharacter("<").description == "character 'U+3C' is not allowed in a URL")
        #expect(URLCheck.Refusal.missingHost.description == "no host after the scheme")
    }
}

@Suite("URL check survives garbage")
struct URLCheckFuzzTests {
    @Test func whateverPassesIsPrintableASCIIWithAnAllowedScheme() {
        var rng = SplitMix64(seed: 99)
        let pieces = ["https://", "http:", "//", "h.example", "/", "?", "&", "#", "%", "%4", "%41", "a", " ", "\u{0}", "\u{E9}", ":", "@", "<", "JAVASCRIPT:", "file:"]
        for _ in 0..<5000 {
            let url = (0..<Int(rng.next() % 8)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            guard let scheme = try? URLCheck.validate(url, allowedSchemes: ["http", "https"]) else { continue }
            #expect(scheme == "http" || scheme == "https")
            #expect(url.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
            #expect(url.lowercased().hasPrefix(scheme + "://"))
        }
    }

    @Test("templates whose fixed text settles the check", arguments: [
        ("https://crm.example.com/search?number={CALLERNUM}", "https"),
        ("HTTP://h/{CALLERNAME}/x", "http"),
        ("https://crm.example.com", "https"),
        ("tel:{CALLERNUM}", "tel"),
        ("https://host/a%20b?x={CALLERNUM}&y=%2B", "https"),
        ("javascript:{CALLERNAME}", "javascript"),
    ])
    func fixedSchemes(_ source: String, _ scheme: String) throws {
        #expect(try Template(parsing: source).fixedURLScheme == scheme)
    }

    @Test("templates checked on every expansion", arguments: [
        "https://{CALLERNAME}/", "https:///{CALLERNUM}", "HTTP://h{CALLERNAME}/x", "https://crm.example.com{CALLERNAME}/x", "https:/host/{CALLERNUM}", "{CALLERNAME}://host/",
        "ht{CALLERNUM}tp://host/", "https://host/%{CALLERNUM}", "https://host/%4{CALLERNUM}", "https://host/ {CALLERNUM}",
        "https://host/\u{E9}{CALLERNUM}", "https://host/?q={CALLERNUM}<x>", "crm.example.com/{CALLERNUM}", ":x{CALLERNUM}",
        "https:{CALLERNUM}", "https://host/?q={CALLERNUM}%zz",
    ])
    func notFixed(_ source: String) throws {
        #expect(try Template(parsing: source).fixedURLScheme == nil)
    }

    /// The load-time check is sound: whenever a template has a fixed scheme, every expansion
    /// (seeded random templates and caller values) passes the full check.
    @Test func fixedSchemeTemplatesAlwaysExpandToValidURLs() throws {
        let pieces = ["https://", "http://", "tel:", "x+y.z-1:", "h", "host.example", "/", "?", "#", "&", "=", "%20", "%",
                      "%4", "%zz", " ", "~", "a", "{CALLERNUM}", "{CALLERNAME}", "{CALLEDNUM:e164}", "{CALLID}", "\u{7F}",
                      "[", "]", "@", "'", "\"", "<", "\u{E9}", ":", "//", "{TAGS}"]
        let values = ["", ".", "..", "John Doe", "+44 20 7123 4567", "%", "%zz", "a/b?c#d", "\u{0}\n", "\u{E9}\u{1F600}", "<script>"]
        var rng = SplitMix64(seed: 0xF1ED)
        var fixed = 0
        for _ in 0..<20_000 {
            let source = (0..<Int.random(in: 1...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            guard let template = try? Template(parsing: source), let scheme = template.fixedURLScheme else { continue }
            fixed += 1
            let v = variables(number: values.randomElement(using: &rng)!, name: values.randomElement(using: &rng)!,
                              called: values.randomElement(using: &rng)!)
            guard let url = try? template.expandURL(v) else { continue }  // a dot segment: refused before any check
            #expect(throws: Never.self, "\(source) → \(url)") { try URLCheck.validate(url, allowedSchemes: [scheme]) }
        }
        #expect(fixed > 1000, "the generator must produce enough fixed templates to mean something")
    }
}
