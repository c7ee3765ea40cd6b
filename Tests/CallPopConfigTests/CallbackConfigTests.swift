import CallPopConfig
import CallPopCore
import CallPopTestSupport
import Foundation
import Testing

/// `[[callback]]`, `[colleagues] url`, `[provisioning]` and `[pbx] source = "stream"`: what
/// loads, and every error with the exact `FILE:LINE:COLUMN: message`.
@Suite("HTTP configuration")
struct CallbackConfigTests {
    /// The user head and one callback made of `lines` (the table header is line 4).
    func callback(_ lines: String...) -> String {
        userHead + "[[callback]]\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test("a full callback loads with its defaults and secrets")
    func fullCallback() throws {
        let dir = try TemporaryDirectory()
        let token = try dir.write("crm.token", "tok-123\n", mode: 0o600)
        let key = try dir.write("crm.key", "key-456", mode: 0o600)
        let configuration = try load(callback(
            #"name = "Zoho call log""#,
            #"url = "https://crm.example.com/calls?cname={CALLERNAME}&cnum={CALLERNUM}&uname={USERNAME}&unum={USERNUM}&cdirection={CALLTYPE}""#,
            #"method = "post""#,
            #"json = '{"event": "{EVENT}", "seconds": {DURATION}, "how": "{DISPOSITION}"}'"#,
            #"events = ["new", "ended"]"#,
            #"headers = { "X-Source" = "callpop {USERNUM}" }"#,
            "token_file = \"\(token)\"",
            "secret_headers = { \"X-Api-Key\" = \"file:\(key)\", \"X-Env\" = \"env:CRM_SECRET\" }",
            "timeout = 3", "max_age = 600", #"direction = "incoming""#, #"remote_numbers = ["+44*"]"#, "colleagues = true"),
            environment: standardEnvironment.merging(["CRM_SECRET": "env-789"]) { $1 })
        let rule = try #require(configuration.callbacks.first)
        #expect(configuration.callbacks.count == 1)
        #expect(rule.id == "zoho-call-log" && rule.method == "POST" && rule.events == [.new, .ended] && rule.direction == .incoming)
        #expect(rule.timeout == .seconds(3) && rule.maximumAge == .seconds(600) && rule.includeColleagues)
        #expect(rule.headers.map(\.name) == ["X-Source"])
        #expect(rule.secretHeaders == [
            HeaderField("Authorization", "Bearer tok-123", isSecret: true), HeaderField("X-Api-Key", "key-456", isSecret: true),
            HeaderField("X-Env", "env-789", isSecret: true),
        ])
        guard case .json? = rule.body else { Issue.record("no JSON body"); return }
        let minimal = try load(callback(#"name = "Min""#, #"url = "https://crm.example.com/x""#)).callbacks[0]
        #expect(minimal.method == "GET" && minimal.events == Set(CallbackEventKind.allCases) && minimal.timeout == .seconds(5))
        #expect(minimal.maximumAge == .seconds(86_400) && !minimal.includeColleagues && minimal.body == nil)
    }

    @Test("callback errors, each where it stands")
    func callbackErrors() {
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/?d={DURATON}""#)) == [
            "test.toml:6:35: unknown variable {DURATON}; did you mean {DURATION}?",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "{CALLERNAME}/x""#)) == [
            "test.toml:6:7: url must start with a fixed scheme such as https://, not a variable",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://{CALLERNAME}.example.com/""#)) == [
            "test.toml:6:7: url must name its host in fixed text (https://host/...) before any variable: a caller must not choose the site",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "ftp://crm.example.com/""#)) == [
            "test.toml:6:7: url is not a valid absolute URL: scheme 'ftp' is not allowed (see [launch] url_schemes)",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, #"method = "DELETE""#)) == [
            "test.toml:7:10: method must be GET, POST, PUT or PATCH, not 'DELETE'",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, #"form = "a={CALLERNUM}""#)) == [
            "test.toml:4:1: a GET request sends no body: set method = \"POST\" or drop the body",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, #"method = "POST""#)) == [
            #"test.toml:7:10: POST needs a body: form = "name={CALLERNAME}&…" or json = '{"name": "{CALLERNAME}"}'"#,
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, #"method = "POST""#, #"json = '{"n": {CALLERNUM}}'"#)) == [
            #"test.toml:8:15: json: {CALLERNUM} must stand inside a JSON string, e.g. "{CALLERNUM}" (only {DURATION} is a number)"#,
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, #"events = ["new", "hangup"]"#)) == [
            "test.toml:7:10: unknown event 'hangup'; use new, updated, ended",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, #"headers = { Authorization = "Bearer x" }"#)) == [
            "test.toml:7:11: header Authorization carries a secret: use token_file or secret_headers so it never sits in this file",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, #"secret_headers = { "X-Key" = "plain" }"#)) == [
            "test.toml:7:18: secret header X-Key must be \"file:PATH\" or \"env:NAME\": a secret never sits in the configuration file",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, #"secret_headers = { "X-Key" = "env:NOPE" }"#)) == [
            "test.toml:7:18: secret header X-Key: the environment variable NOPE is not set",
        ])
        #expect(diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, "timeout = 0", "urll = 1")) == [
            "test.toml:7:11: timeout must be a whole number of seconds from 1 to 300",
            "test.toml:8:8: unknown key 'urll' in [[callback]]; known keys: ca_file, called_numbers, colleagues, direction, enabled, events, form, headers, id, json, max_age, method, name, remote_numbers, secret_headers, timeout, token_file, url",
        ])
        #expect(diagnostics(userHead + "[callback]\nname = \"x\"\n") == ["test.toml:4:1: 'callback' must be written as [[callback]] tables"])
    }

    @Test("a token file readable by others is refused, and its text never shows")
    func openTokenFile() throws {
        let dir = try TemporaryDirectory()
        let token = try dir.write("crm.token", "tok-secret", mode: 0o644)
        let found = diagnostics(callback(#"name = "X""#, #"url = "https://crm.example.com/""#, "token_file = \"\(token)\""))
        #expect(found == ["test.toml:7:14: token_file '\(token)' is readable by group or others (mode 644): run chmod 600 '\(token)'"])
        #expect(!found.joined().contains("tok-secret"))
    }

    @Test("popups cannot use the callback-only variables")
    func callbackVariablesInPopups() {
        #expect(diagnostics(userHead + "[[popup]]\nname = \"P\"\ntrigger = \"answer\"\nurl = \"https://crm.example.com/?d={DURATION}\"\n") == [
            "test.toml:7:7: {DURATION} is known only to callbacks ([[callback]]): a popup opens before the call has it",
        ])
    }

    @Test("[colleagues] url and [provisioning] url, with {USERNUM} and {USERNAME} expanded")
    func remoteResources() throws {
        let dir = try TemporaryDirectory()
        let token = try dir.write("pbx.token", "wildix-token\n", mode: 0o600)
        let configuration = try load("[user]\nnumber = \"201\"\nname = \"Alice Agent\"\n\n"
            + "[colleagues]\nurl = \"https://pbx.example.com/api/v1/Colleagues/\"\ntoken_file = \"\(token)\"\nrefresh = 900\n\n"
            + "[provisioning]\nurl = \"https://admin.example.com/callpop/{USERNUM}.toml?name={USERNAME}\"\n")
        #expect(configuration.colleagueDirectory == RemoteResource(
            url: "https://pbx.example.com/api/v1/Colleagues/", headers: [HeaderField("Authorization", "Bearer wildix-token", isSecret: true)],
            refresh: .seconds(900)))
        #expect(configuration.provisioning?.url == "https://admin.example.com/callpop/201.toml?name=Alice%20Agent")
        #expect(configuration.provisioning?.refresh == .seconds(3600))
        #expect(diagnostics(userHead + "[provisioning]\nurl = \"https://a.example.com/{CALLERNUM}\"\nrefresh = 5\n") == [
            "test.toml:5:7: {CALLERNUM} cannot be used in [provisioning] url: only {USERNUM} and {USERNAME} are known here",
        ])
        #expect(diagnostics(userHead + "[colleagues]\nurl = \"https://a.example.com/\"\nrefresh = 5\n") == [
            "test.toml:6:11: refresh must be a whole number of seconds from 60 to 604800 (a week)",
        ])
        #expect(diagnostics(userHead + "[provisioning]\nrefresh = 600\n") == ["test.toml:4:1: [provisioning] needs url = \"https://…\""])
    }

    @Test("[pbx] source = \"stream\": https, unix: sockets, secrets; errors where they stand")
    func streamSource() throws {
        let dir = try TemporaryDirectory()
        let token = try dir.write("bridge.token", "b-token", mode: 0o600)
        let https = try load(userHead + "[pbx]\nsource = \"stream\"\nurl = \"https://bridge.example.com/events\"\ntoken_file = \"\(token)\"\nreconnect_max = 30\n")
        guard case .stream(let settings) = https.connection else { Issue.record("not a stream"); return }
        #expect(settings.url == "https://bridge.example.com/events" && settings.unixSocketPath == nil)
        #expect(settings.headers == [HeaderField("Authorization", "Bearer b-token", isSecret: true)])
        #expect(settings.reconnectMaximum == .seconds(30))
        let unix = try load(userHead + "[pbx]\nsource = \"stream\"\nurl = \"unix:/run/user/1000/bridge.sock\"\n")
        guard case .stream(let local) = unix.connection else { Issue.record("not a stream"); return }
        #expect(local.url == "http://localhost/" && local.unixSocketPath == "/run/user/1000/bridge.sock")
        #expect(diagnostics(userHead + "[pbx]\nsource = \"stream\"\nurl = \"unix:relative.sock\"\n") == [
            "test.toml:6:7: a unix: URL names an absolute socket path: unix:/run/user/1000/callpop-bridge.sock",
        ])
        #expect(diagnostics(userHead + "[pbx]\nsource = \"stream\"\nurl = \"https://u:p@bridge.example.com/\"\n") == [
            "test.toml:6:7: url must not carry a user or password: use token_file or secret_headers",
        ])
        #expect(diagnostics(userHead + "[pbx]\nsource = \"stream\"\n") == [
            "test.toml:4:1: [pbx] source = \"stream\" needs url = \"https://bridge.example.com/events\" or \"unix:/run/user/1000/callpop-bridge.sock\"",
        ])
    }
}

/// Provisioned fragments: what they may hold, errors with positions, merging.
@Suite("Provisioned rules")
struct ProvisionedRulesTests {
    let loader = ConfigurationLoader(environment: standardEnvironment)
    let name = "https://admin.example.com/callpop/201.toml"

    func problems(_ text: String) -> [String] {
        do {
            _ = try loader.loadProvisioned(text: text, name: name)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test("popups and callbacks load; local rules win by id; directory numbers become colleagues")
    func merge() throws {
        let rules = try loader.loadProvisioned(text: """
            [[popup]]
            name = "Office CRM"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUM}"

            [[popup]]
            name = "Mine"
            trigger = "answer"
            url = "https://other.example.com/"

            [[callback]]
            name = "Office log"
            url = "https://crm.example.com/log?n={CALLERNUM}&e={EVENT}"
            """, name: name)
        #expect(rules.popups.map(\.id) == ["office-crm", "mine"] && rules.callbacks.map(\.id) == ["office-log"])
        let local = try load(userHead + "[[popup]]\nname = \"Mine\"\ntrigger = \"on-click\"\nurl = \"https://mine.example.com/\"\n")
        let merged = local.merged(provisioned: rules, colleagueNumbers: ["202", "+442079460000"])
        #expect(merged.ruleSet.rules.map(\.id) == ["mine", "office-crm"])
        #expect(merged.ruleSet.rules[0].trigger == .onClick)
        #expect(merged.callbacks.map(\.id) == ["office-log"])
        #expect(merged.ruleSet.colleagues.patterns.map(\.source) == ["202", "+442079460000"])
    }

    @Test("a fragment may not run programs, read secrets or hold other tables; errors carry positions")
    func restrictions() {
        #expect(problems("[[popup]]\nname = \"Run\"\ntrigger = \"ringing\"\napp = \"xterm\"\n") == [
            "\(name):4:7: a provisioned popup may only open a web page (url): a server must not choose programs to run",
        ])
        #expect(problems("[[callback]]\nname = \"C\"\nurl = \"https://crm.example.com/\"\ntoken_file = \"~/.ssh/id_rsa\"\nsecret_headers = { X = \"env:HOME\" }\n") == [
            "\(name):4:14: provisioned rules cannot read secrets from your files or environment: put this rule in your own configuration",
            "\(name):5:18: provisioned rules cannot read secrets from your files or environment: put this rule in your own configuration",
        ])
        #expect(problems("[pbx]\nsource = \"ami\"\n") == ["\(name):1:1: a provisioned fragment holds only [[popup]] and [[callback]] tables, not 'pbx'"])
        #expect(problems("[[popup]]\nname = \"X\"\ntrigger = \"ringing\"\nurl = \"https://crm.example.com/{CALLERNAM}\"\n") == [
            "\(name):4:32: unknown variable {CALLERNAM}; did you mean {CALLERNAME}?",
        ])
        #expect(problems("[[popup]\nname = 1\n").first?.hasPrefix("\(name):1:") == true)
    }

    @Test("seeded garbage fragments never crash the loader")
    func garbage() {
        var generator = SplitMix64(seed: 0xF4A6)
        let good = Array("[[popup]]\nname = \"A\"\ntrigger = \"ringing\"\nurl = \"https://crm.example.com/{CALLERNUM}\"\n[[callback]]\nname = \"B\"\nurl = \"https://x.example.com/\"\n".utf8)
        for _ in 0..<300 {
            let text = String(decoding: ByteMutator.mutate(good, alphabet: Array("[]{}=\"'\n #.,:abcpopupcallback".utf8), edits: 3, using: &generator), as: UTF8.self)
            _ = problems(text)
        }
    }
}
