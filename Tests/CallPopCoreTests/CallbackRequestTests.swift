import CallPopCore
import Testing

/// The exact request a callback makes: URL, body, headers and key, with hostile caller ID.
@Suite("Callback requests")
struct CallbackRequestTests {
    static let reference = "https://crm.example.com/calls?cname={CALLERNAME}&cnum={CALLERNUM}&uname={USERNAME}&unum={USERNUM}&cdirection={CALLTYPE}"

    static func occurrence(
        _ kind: CallbackEventKind, number: String = "+442071234567", name: String = "John Doe", direction: CallDirection = .incoming,
        colleague: Bool = false, change: String = "", duration: Int = 0, disposition: CallDisposition? = nil
    ) -> CallbackOccurrence {
        CallbackOccurrence(
            kind: kind, change: change,
            event: CallEvent(callID: "1795593625.0", state: kind == .ended ? .ended : .ringing, direction: direction,
                             remoteNumber: number, remoteName: name, calledNumber: "5550100", channel: "PJSIP/201-00000001"),
            isColleague: colleague, duration: duration, disposition: disposition)
    }

    static func send(_ rule: CallbackRule, _ occurrence: CallbackOccurrence) throws -> CallbackRequest {
        guard case .send(let request) = rule.request(for: occurrence, user: ukUser, createdAt: 1_800_000_000) else {
            throw CodedError<Int>(0, "no request")
        }
        return request
    }

    @Test("the reference Callback URL example, value by value")
    func referenceExample() throws {
        let rule = CallbackRule(name: "Zoho", url: try template(Self.reference))
        let request = try Self.send(rule, Self.occurrence(.new, name: "Zoë O'Brien & Co"))
        #expect(request.method == "GET")
        #expect(request.url == "https://crm.example.com/calls?cname=Zo%C3%AB%20O%27Brien%20%26%20Co&cnum=%2B442071234567&uname=John%20Doe&unum=201&cdirection=incoming")
        #expect(request.body == nil)
        #expect(request.headers.map(\.name) == ["Idempotency-Key"])
        #expect(request.headers[0].value == request.idempotencyKey)
        #expect(request.idempotencyKey.count == 64)
        #expect(request.createdAt == 1_800_000_000 && request.attempts == 0 && request.timeout == .seconds(5))
    }

    @Test("the Idempotency-Key is stable per rule, call, event and change, and differs otherwise")
    func idempotencyKey() {
        let key = { (rule: String, call: String, event: CallbackEventKind, change: String) in
            CallbackRequest.idempotencyKey(rule: rule, user: "201", call: call, event: event, change: change)
        }
        let base = key("crm", "c1", .updated, "answered")
        #expect(base == key("crm", "c1", .updated, "answered"))
        let others = [key("crm", "c1", .updated, "party:+44/x"), key("crm", "c1", .new, ""), key("crm", "c2", .updated, "answered"),
                      key("log", "c1", .updated, "answered"), CallbackRequest.idempotencyKey(rule: "crm", user: "202", call: "c1", event: .updated, change: "answered")]
        #expect(Set(others + [base]).count == 6)
    }

    @Test("ended: {EVENT}, {DURATION} and {DISPOSITION}, with number forms")
    func endedVariables() throws {
        let rule = CallbackRule(
            name: "Log", url: try template("https://crm.example.com/log/{EVENT}?n={CALLERNUM:national}&d={DURATION}&how={DISPOSITION}&ch={CHANNEL}"))
        let ended = try Self.send(rule, Self.occurrence(.ended, duration: 42, disposition: .answeredElsewhere))
        #expect(ended.url == "https://crm.example.com/log/ended?n=02071234567&d=42&how=answered-elsewhere&ch=PJSIP%2F201-00000001")
        let new = try Self.send(rule, Self.occurrence(.new))
        #expect(new.url == "https://crm.example.com/log/new?n=02071234567&d=0&how=&ch=PJSIP%2F201-00000001")
    }

    @Test("a form body: values percent-encoded, the form's own & and = kept")
    func formBody() throws {
        let rule = CallbackRule(
            name: "Form", method: "POST", url: try template("https://crm.example.com/calls"),
            body: .form(try template("name={CALLERNAME}&number={CALLERNUM}&event={EVENT}")))
        let request = try Self.send(rule, Self.occurrence(.new, name: "A&B=C+D é"))
        #expect(request.body == "name=A%26B%3DC%2BD%20%C3%A9&number=%2B442071234567&event=new")
        #expect(request.headers.first { $0.name == "Content-Type" }?.value == "application/x-www-form-urlencoded")
    }

    @Test("a JSON body: values escaped inside strings, {DURATION} as a number, hostile names contained")
    func jsonBody() throws {
        let body = try JSONBodyTemplate(try template(#"{"name": "{CALLERNAME}", "number": "{CALLERNUM:e164}", "seconds": {DURATION}, "tags": ["{EVENT}"]}"#))
        let rule = CallbackRule(name: "JSON", method: "POST", url: try template("https://crm.example.com/calls"), body: .json(body))
        let hostile = "Eve\", \"admin\": true, \"x\": \"\\"
        let request = try Self.send(rule, Self.occurrence(.ended, name: hostile, duration: 61, disposition: .answered))
        #expect(request.body == #"{"name": "Eve\", \"admin\": true, \"x\": \"\\", "number": "+442071234567", "seconds": 61, "tags": ["ended"]}"#)
        #expect(request.headers.first { $0.name == "Content-Type" }?.value == "application/json")
        // Control characters never reach the body: the variables were cleaned, and JSON escapes the rest.
        let controls = try Self.send(rule, Self.occurrence(.new, name: "a\u{2028}b\nc\u{0}d"))
        #expect(controls.body?.contains("\"name\": \"abcd\"") == true)
    }

    @Test("JSON templates are checked at load: placeholders outside strings, unclosed strings and brackets")
    func jsonTemplateErrors() throws {
        func failure(_ text: String) -> String? {
            do throws(TemplateError) {
                _ = try JSONBodyTemplate(try Template(parsing: text))
                return nil
            } catch {
                return "\(error.offset): \(error.message)"
            }
        }
        #expect(failure(#"{"name": {CALLERNAME}}"#) == #"9: json: {CALLERNAME} must stand inside a JSON string, e.g. "{CALLERNAME}" (only {DURATION} is a number)"#)
        #expect(failure(#"{"name": "{CALLERNAME}}"#) == "9: json: this string is not closed")
        #expect(failure(#"{"n": [1, 2}"#) == "11: json: '}' closes nothing that is open")
        #expect(failure(#"{"n": "\"{CALLERNUM:3}\"", "d": [{DURATION}]"#) == "0: json: this '{' is not closed")
        #expect(failure(#"{"n": "\"{CALLERNUM:3}\"", "d": [{DURATION}]}"#) == nil)
    }

    @Test("headers: templates expanded without encoding, secrets sent but masked when shown")
    func headers() throws {
        let rule = CallbackRule(
            name: "H", url: try template("https://crm.example.com/x"),
            headers: [HeaderTemplate(name: "X-Caller", value: try template("{CALLERNAME} <{CALLERNUM}>"))],
            secretHeaders: [HeaderField("Authorization", "Bearer s3cr3t-token", isSecret: true)])
        let request = try Self.send(rule, Self.occurrence(.new, name: "Line\r\nInjected: yes"))
        #expect(request.headers.map(\.name) == ["X-Caller", "Idempotency-Key", "Authorization"])
        #expect(request.headers[0].value == "LineInjected: yes <+442071234567>")
        #expect(request.headers[2].value == "Bearer s3cr3t-token")
        #expect(!request.json.contains("s3cr3t") && request.json.contains(#""Authorization: ****""#))
        #expect(!request.lines.joined().contains("s3cr3t") && request.lines.contains("  Authorization: ****"))
    }

    @Test("filters: events, direction, colleagues, numbers, enabled")
    func filters() throws {
        let url = try template("https://crm.example.com/x?n={CALLERNUM}")
        func applies(_ rule: CallbackRule, _ occurrence: CallbackOccurrence) -> Bool {
            if case .send = rule.request(for: occurrence, user: ukUser, createdAt: 0) { true } else { false }
        }
        #expect(!applies(CallbackRule(name: "a", events: [.ended], url: url), Self.occurrence(.new)))
        #expect(applies(CallbackRule(name: "a", events: [.ended], url: url), Self.occurrence(.ended)))
        #expect(!applies(CallbackRule(name: "a", direction: .outgoing, url: url), Self.occurrence(.new)))
        #expect(!applies(CallbackRule(name: "a", url: url), Self.occurrence(.new, colleague: true)))
        #expect(applies(CallbackRule(name: "a", url: url, includeColleagues: true), Self.occurrence(.new, colleague: true)))
        #expect(applies(CallbackRule(name: "a", url: url, remoteNumbers: [NumberPattern("+4420*")!]), Self.occurrence(.new, number: "02079460000")))
        #expect(!applies(CallbackRule(name: "a", url: url, remoteNumbers: [NumberPattern("+4420*")!]), Self.occurrence(.new, number: "+15551234567")))
        #expect(!applies(CallbackRule(name: "a", url: url, calledNumbers: [NumberPattern("5550199")!]), Self.occurrence(.new)))
        #expect(!applies(CallbackRule(name: "a", url: url, enabled: false), Self.occurrence(.new)))
    }

    @Test("a caller value that would move the URL up its path is refused, not sent")
    func refusedURL() throws {
        let rule = CallbackRule(name: "Path", url: try template("https://crm.example.com/calls/{CALLERNAME}/log"))
        #expect(rule.request(for: Self.occurrence(.new, name: ".."), user: ukUser, createdAt: 0) == .refused(.dotSegment))
    }
}
