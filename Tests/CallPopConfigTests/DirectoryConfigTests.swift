import CallPopConfig
import CallPopCore
import CallPopLookup
import CallPopTestSupport
import Foundation
import Testing

/// `[lookup]`, `[[directory]]` and the rules' `known` and `directory` filters.
@Suite("Directory configuration")
struct DirectoryConfigTests {
    @Test func everyTypeLoadsWithItsSettings() throws {
        let dir = try TemporaryDirectory()
        let password = try dir.write("cloud.secret", "app-password\n", mode: 0o600)
        let token = try dir.write("crm.token", "tok-123\n", mode: 0o600)
        let vcards = try dir.write("contacts/a.vcf", "BEGIN:VCARD\r\nEND:VCARD\r\n")
        let configuration = try load(userHead + """
            [lookup]
            budget = "250ms"
            cache_ttl = "12h"
            negative_ttl = 600

            [[directory]]
            name = "nextcloud"
            type = "carddav"
            url = "https://cloud.example.com/remote.php/dav/addressbooks/users/anna/contacts/"
            user = "anna"
            password_file = "\(password)"
            refresh = "10m"

            [[directory]]
            name = "company"
            type = "ldap"
            uri = "ldap://ldap.example.com"
            start_tls = true
            bind_dn = "uid=callpop,ou=services,dc=example,dc=com"
            password_env = "CALLPOP_LDAP_PASSWORD"
            base = "ou=people,dc=example,dc=com"
            number_attributes = ["telephoneNumber", "mobile"]
            timeout = "1.5s"

            [[directory]]
            name = "crm"
            type = "http"
            url = "https://crm.example.com/api/contacts/search?phone={CALLERNUM:e164}"
            headers = { Accept = "application/json" }
            token_file = "\(token)"
            name_field = "result.records[0].name"
            company_field = "result.records[0].company.name"
            url_field = "result.records[0].url"
            id_field = "result.records[0].id"

            [[directory]]
            name = "exports"
            type = "file"
            path = ["\(vcards)", "\(dir.path)/contacts"]
            record_hosts = ["crm.example.com", "*.example.org"]
            enabled = false

            [[popup]]
            name = "Record"
            trigger = "ringing"
            known = true
            directory = ["crm", "nextcloud"]
            url = "{CONTACTURL}"
            """, environment: standardEnvironment.merging(["CALLPOP_LDAP_PASSWORD": "ldap-pw"]) { $1 })
        let lookup = configuration.lookup
        #expect(lookup.budget == .milliseconds(250))
        #expect(lookup.foundTTL == .seconds(12 * 3600))
        #expect(lookup.notFoundTTL == .seconds(600))
        #expect(lookup.directories.map(\.name) == ["nextcloud", "company", "crm", "exports"])
        #expect(lookup.enabledDirectories.map(\.name) == ["nextcloud", "company", "crm"])
        #expect(configuration.ruleSet.looksUpCallers)
        guard case .cardDAV(let dav) = lookup.directories[0].kind, case .ldap(let ldap) = lookup.directories[1].kind,
              case .http(let http) = lookup.directories[2].kind, case .file(let files) = lookup.directories[3].kind
        else { Issue.record("wrong kinds: \(lookup.directories.map(\.typeName))"); return }
        #expect(dav.user == "anna" && dav.password?.value == "app-password" && dav.refresh == .seconds(600))
        #expect(lookup.directories[0].recordHosts == ["cloud.example.com"])
        #expect(ldap.startTLS && ldap.password?.value == "ldap-pw" && ldap.numberAttributes == ["telephoneNumber", "mobile"])
        #expect(ldap.filter.source == LDAPFilterTemplate.standard)
        #expect(lookup.directories[1].timeout == .milliseconds(1500))
        #expect(lookup.directories[1].recordHosts.isEmpty)
        #expect(http.headers.map(\.shownValue) == ["application/json", "****"])
        #expect(http.headers.last?.value == "Bearer tok-123")
        #expect(http.fields.id?.description == "result.records[0].id")
        #expect(lookup.directories[2].recordHosts == ["crm.example.com"])
        #expect(files.paths == [vcards, dir.path + "/contacts"])
        #expect(lookup.directories[3].recordHosts == ["crm.example.com", "*.example.org"])
        let rule = try #require(configuration.ruleSet.rules.first)
        #expect(rule.known == true && rule.directories == ["crm", "nextcloud"] && rule.waitsForContact)
        // Secrets never show in descriptions.
        #expect(!"\(lookup)".contains("app-password") && !"\(lookup)".contains("ldap-pw") && !"\(lookup)".contains("tok-123"))
        // Programs callpop starts never inherit the password variables.
        #expect(configuration.secretEnvironment.isSuperset(of: ["CALLPOP_LDAP_PASSWORD", "CALLPOP_PBX_PASSWORD"]))
        let children = configuration.childEnvironment(["CALLPOP_LDAP_PASSWORD": "ldap-pw", "CALLPOP_PBX_PASSWORD": "x", "PATH": "/bin"])
        #expect(children == ["PATH": "/bin"])
    }

    @Test func withoutDirectoriesNothingIsLookedUp() throws {
        let configuration = try load(userHead)
        #expect(!configuration.lookup.isActive && !configuration.ruleSet.looksUpCallers)
        #expect(configuration.lookup.budget == .milliseconds(300))
        let disabled = try load(userHead + "[[directory]]\nname = \"x\"\ntype = \"file\"\npath = \"/nonexistent-x.vcf\"\nenabled = false\n")
        #expect(!disabled.ruleSet.looksUpCallers)
    }

    @Test func typosGetDidYouMean() {
        #expect(diagnostics(userHead + "[[directory]]\nname = \"x\"\ntype = \"cardav\"\nurl = \"https://a.example/\"\n") == [
            "test.toml:6:8: unknown directory type \"cardav\"; did you mean \"carddav\"?",
        ])
        #expect(diagnostics(userHead + "[[directory]]\nname = \"x\"\ntype = \"ldap\"\nuri = \"ldap://a\"\nbase = \"dc=a\"\nbind_nd = \"cn=x\"\n") == [
            "test.toml:9:11: unknown key 'bind_nd' in [[directory]] of type ldap; did you mean 'bind_dn'?",
        ])
        #expect(diagnostics(userHead + "[[directory]]\nname = \"x\"\ntype = \"ldap\"\nuri = \"ldap://a\"\nbase = \"dc=a\"\npassword = \"hunter2\"\n") == [
            "test.toml:9:12: unknown key 'password' in [[directory]] of type ldap; secrets never sit in the configuration file: use password_file (mode 600) or password_env",
        ])
        #expect(diagnostics(userHead + "[lookup]\nbudegt = \"1s\"\n") == [
            "test.toml:5:10: unknown key 'budegt' in [lookup]; did you mean 'budget'?",
        ])
    }

    @Test func rulesNameConfiguredDirectories() {
        let head = userHead + "[[directory]]\nname = \"nextcloud\"\ntype = \"file\"\npath = \"/nonexistent-x.vcf\"\n\n"
        let found = diagnostics(head + "[[popup]]\nname = \"R\"\ntrigger = \"ringing\"\ndirectory = \"nextclod\"\nurl = \"https://crm.example.com/\"\n")
        #expect(found.contains("test.toml:12:13: no [[directory]] is named 'nextclod'; did you mean 'nextcloud'?"))
        #expect(diagnostics(userHead + "[[popup]]\nname = \"R\"\ntrigger = \"ringing\"\ndirectory = \"crm\"\nurl = \"https://crm.example.com/\"\n") == [
            "test.toml:7:13: no [[directory]] is named 'crm'; no [[directory]] is configured",
        ])
        #expect(diagnostics(userHead + "[[popup]]\nname = \"R\"\ntrigger = \"ringing\"\nknown = \"yes\"\nurl = \"https://crm.example.com/\"\n") == [
            "test.toml:7:9: known must be true or false",
        ])
    }

    @Test func valuesAreCheckedWhereTheyStand() throws {
        let dir = try TemporaryDirectory()
        let open = try dir.write("open.secret", "pw", mode: 0o644)
        let cases: [(String, String)] = [
            ("name = \"x\"\ntype = \"ldap\"\nuri = \"ldap://a\"\nbase = \"dc=a\"\nfilter = \"(telephoneNumber={NUMBR})\"",
             "test.toml:9:28: filter: unknown placeholder {NUMBR} (use {NUMBER} or {LAST})"),
            ("name = \"x\"\ntype = \"ldap\"\nuri = \"http://a\"\nbase = \"dc=a\"",
             "test.toml:7:7: uri must be one ldap:// or ldaps:// URI, like ldap://ldap.example.com:389"),
            ("name = \"x\"\ntype = \"ldap\"\nuri = \"ldaps://a\"\nbase = \"dc=a\"\nstart_tls = true",
             "test.toml:9:13: start_tls is for ldap:// URIs; ldaps:// is TLS from the start"),
            ("name = \"x\"\ntype = \"http\"\nurl = \"https://crm.example.com/?q={CALLERNAME}\"\nname_field = \"name\"",
             "test.toml:7:7: {CALLERNAME} cannot be used in a directory's url: only {CALLERNUM} (with its number forms), {USERNUM} and {USERNAME} are known when a caller is looked up"),
            ("name = \"x\"\ntype = \"http\"\nurl = \"https://crm.example.com/?q={CALLERNUM}\"\nname_field = \"data[0.name\"",
             "test.toml:8:20: name_field: unclosed [ in field path \"data[0.name\""),
            ("name = \"x\"\ntype = \"http\"\nurl = \"https://{CALLERNUM}.example.com/\"\nname_field = \"name\"",
             "test.toml:7:7: url must name its host in fixed text (https://host/...) before any variable: a caller must not choose the site"),
            ("name = \"x\"\ntype = \"http\"\nurl = \"https://crm.example.com/\"\nname_field = \"name\"\nheaders = { Authorization = \"Bearer x\" }",
             "test.toml:9:11: header Authorization carries a secret: use token_file or secret_headers so it never sits in this file"),
            ("name = \"x\"\ntype = \"carddav\"\nurl = \"ftp://cloud.example.com/\"",
             "test.toml:7:7: url is not an http:// or https:// URL: scheme 'ftp' is not allowed (see [launch] url_schemes)"),
            ("name = \"x\"\ntype = \"carddav\"\nurl = \"https://cloud.example.com/\"\nuser = \"anna\"\npassword_file = \"\(open)\"",
             "test.toml:9:17: password_file '\(open)' is readable by group or others (mode 644): run chmod 600 '\(open)'"),
            ("name = \"x\"\ntype = \"carddav\"\nurl = \"https://cloud.example.com/\"\nuser = \"anna\"\npassword_env = \"NOT_SET_ANYWHERE\"",
             "test.toml:9:16: the environment variable NOT_SET_ANYWHERE is not set"),
            ("name = \"x\"\ntype = \"file\"\npath = \"/nonexistent-x.vcf\"\ntimeout = \"2 weeks\"",
             "test.toml:8:11: timeout must be a duration such as \"300ms\", \"2s\" or \"15m\" (or whole seconds)"),
            ("name = \"x\"\ntype = \"file\"\npath = \"/nonexistent-x.vcf\"\ntimeout = \"5ms\"",
             "test.toml:8:11: timeout must be from 100ms to 1m"),
            ("name = \"x\"\ntype = \"file\"\npath = \"contacts.vcf\"",
             "test.toml:7:8: path 'contacts.vcf' must be absolute or start with ~/"),
            ("name = \"x\"\ntype = \"file\"\npath = \"/nonexistent-x.vcf\"\nrecord_hosts = [\"https://crm.example.com\"]",
             "test.toml:8:16: 'https://crm.example.com' is not a host name: write crm.example.com or *.example.com"),
            ("name = \"a/b\"\ntype = \"file\"\npath = \"/nonexistent-x.vcf\"",
             "test.toml:5:8: directory name 'a/b' may hold only letters, digits, spaces, '-', '_' and '.' (64 at most)"),
            ("type = \"file\"\npath = \"/nonexistent-x.vcf\"",
             "test.toml:4:1: every directory needs a name (rules' directory filter and {DIRECTORY} use it)"),
        ]
        for (entry, expected) in cases {
            let found = diagnostics(userHead + "[[directory]]\n" + entry + "\n")
            #expect(found.contains(expected), "\(entry)\n→ \(found)")
        }
    }

    @Test func aMissingFileIsAWarningAndNamesMustBeUnique() throws {
        let configuration = try load(userHead + "[[directory]]\nname = \"x\"\ntype = \"file\"\npath = \"/nonexistent-x.vcf\"\n")
        #expect(configuration.warnings.map(\.description) == [
            "test.toml:7:8: warning: '/nonexistent-x.vcf' does not exist (yet); it is read once it does",
        ])
        let twice = "[[directory]]\nname = \"x\"\ntype = \"file\"\npath = \"/nonexistent-x.vcf\"\n"
        #expect(diagnostics(userHead + twice + twice).contains(
            "test.toml:9:8: directory name 'x' is also used by directory 1; names must be unique"))
    }

    @Test func theRecordURLMayBeAWholeTargetAndOtherVariablesMayNot() {
        #expect(diagnostics(userHead + "[[popup]]\nname = \"R\"\ntrigger = \"on-click\"\nurl = \"{CONTACTURL}\"\n").isEmpty)
        #expect(diagnostics(userHead + "[[popup]]\nname = \"R\"\ntrigger = \"on-click\"\nurl = \"{CONTACTNAME}\"\n") == [
            "test.toml:7:7: url must start with a fixed scheme such as https://, not a variable",
        ])
    }

    @Test("durations", arguments: [
        ("300ms", 300), ("2s", 2000), ("1.5s", 1500), ("15m", 900_000), ("1h", 3_600_000), ("1d", 86_400_000), (" 2 s ", 2000),
    ])
    func durations(_ text: String, _ milliseconds: Int) throws {
        let configuration = try load(userHead + "[lookup]\ncache_ttl = \"\(text)\"\n")
        #expect(configuration.lookup.foundTTL == .milliseconds(milliseconds))
    }

    @Test func badDurationsAreRefused() {
        var generator = SplitMix64(seed: 0xD0)
        for text in ["", "ms", "1.2.3s", ".5s", "5.s", "-1s", "1w", "1e3s", "99999999999d", "1 0s"] {
            #expect(!diagnostics(userHead + "[lookup]\ncache_ttl = \"\(text)\"\n").isEmpty, "\(text)")
        }
        // Random text never crashes and never loads as something else than a duration.
        for _ in 0..<200 {
            let bytes = ByteMutator.random(count: Int(generator.next() % 8), using: &generator).filter { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
            let text = String(decoding: bytes, as: UTF8.self)
            if let loaded = try? load(userHead + "[lookup]\ncache_ttl = \"\(text)\"\n") {
                #expect(text.contains { $0.isNumber }, "\(text) loaded as \(loaded.lookup.foundTTL)")
            }
        }
    }
}
