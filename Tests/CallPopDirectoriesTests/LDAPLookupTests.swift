import CallPopCore
import CallPopDirectories
import CallPopLookup
import CallPopTestSupport
import Foundation
import Testing

/// Caller lookup in a real OpenLDAP slapd (scripts/test-servers/slapd.sh) through the lookup
/// service, as the agent asks: every format on either side, nobody for a number one digit
/// off or for an injection attempt, answers cached across a restart, a server that is down.
@Suite(.serialized) struct LDAPLookupTests {
    static func directory(uri: String, filter: String = LDAPFilterTemplate.standard) throws -> DirectorySettings {
        DirectorySettings(
            name: "company",
            kind: .ldap(LDAPDirectorySettings(
                uri: uri, bindDN: TestSlapd.readerDN, password: DirectorySecret(TestSlapd.readerPassword), base: TestSlapd.base,
                filter: try LDAPFilterTemplate(filter))),
            timeout: .seconds(3), recordHosts: ["crm.example.com"])
    }

    /// (the caller number as a PBX may send it, the entry's uid)
    static let calls: [(String, String)] = [
        ("+49401234567", "anna"), ("0401234567", "anna"), ("0049 40 123 45 67", "anna"), ("L0#0401234567", "anna"),
        ("tel:+49-40-1234567;ext=9", "anna"), ("sip:+49401234567@pbx.example.com", "anna"),
        ("+49 40 7654321", "bernd"), ("01712345678", "bernd"), ("030 1112223", "clara"), ("+49 (0)40 555 12 34", "emil"),
        ("0044 20 71234567", "frank"), ("+49403000000", "gen000"), ("040/3000239", "gen239"),
    ]

    @Test func everyFormatFindsTheRightEntryAndTheRecordURL() async throws {
        guard TestSlapd.available else { return }
        try await TestSlapd.with { server in
            let client = testClient()
            defer { client.shutdown() }
            let service = lookupService([try Self.directory(uri: server.uri)], client: client)
            await service.prepare()
            for (number, uid) in Self.calls {
                let found = await service.lookup(number).complete().contact
                #expect(found?.id == "uid=\(uid),ou=people,dc=example,dc=com", "\(number): \(String(describing: found))")
                #expect(found?.directory == "company")
            }
            let anna = await service.lookup("040 1234567").complete().contact
            #expect(anna == CallerContact(
                name: "Anna Alster", organisation: "Alster GmbH", url: "https://crm.example.com/contacts/anna",
                id: "uid=anna,ou=people,dc=example,dc=com", directory: "company"))
        }
    }

    @Test func oneDigitOffAndInjectionAttemptsFindNobody() async throws {
        guard TestSlapd.available else { return }
        try await TestSlapd.with { server in
            let client = testClient()
            defer { client.shutdown() }
            for filter in [LDAPFilterTemplate.standard, "(|(telephoneNumber={NUMBER})(mobile={NUMBER}))"] {
                let service = lookupService([try Self.directory(uri: server.uri, filter: filter)], client: client)
                // Gina (+49 40 1234568) is one digit from Anna: each finds only itself.
                #expect(await service.lookup("+49 40 1234568").complete().contact?.name == "Gina Grün")
                for number in ["+49 40 1234569", "+49 40 123456", "0401234566", "+43 40 1234567", "+49403000240"] {
                    let round = await service.lookup(number).complete()
                    #expect(round.contact == nil && round.answers == [.notFound], "\(number)")
                }
                for attempt in ["*)(uid=*", "*", "*)(|(objectClass=*", "*)(uid=*)(telephoneNumber=0401234567", ")(telephoneNumber=*"] {
                    // No phone number: answered at once, nothing is sent.
                    let round = service.lookup(attempt)
                    #expect(round.current.answers == [.notFound], "\(attempt)")
                    #expect(round.current.contact == nil)
                }
            }
        }
    }

    @Test func answersAreCachedFoundAndNotFoundAcrossARestart() async throws {
        guard TestSlapd.available else { return }
        let cache = try scratchDirectory("ldap-cache")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        var uri = ""
        try await TestSlapd.with { server in
            uri = server.uri
            let client = testClient()
            defer { client.shutdown() }
            let service = lookupService([try Self.directory(uri: server.uri)], cache: cache, client: client)
            await service.prepare()
            #expect(await service.lookup("+49 40 1234567").complete().contact?.name == "Anna Alster")
            #expect(await service.lookup("+49 40 9999999").complete().contact == nil)
            // The second call from the number is answered at once, from the cache.
            #expect(service.lookup("0401234567").current.contact?.name == "Anna Alster")
            #expect(await eventually { ((try? String(contentsOfFile: cache + "/lookup-cache.json", encoding: .utf8)) ?? "").contains("+49409999999") })
        }
        // The server is gone; a new service (a restart) still knows both answers without it.
        #expect(mode(cache + "/lookup-cache.json") == 0o600)
        let client = testClient()
        defer { client.shutdown() }
        let log = LogRecorder()
        let restarted = lookupService([try Self.directory(uri: uri)], cache: cache, client: client, log: log)
        await restarted.prepare()
        let anna = restarted.lookup("+49401234567").current
        #expect(anna.contact?.name == "Anna Alster" && anna.answers.count == 1 && anna.answers[0] != nil, "answered at once")
        #expect(restarted.lookup("040 9999999").current.answers == [.notFound])
        // A number never asked needs the server, which is down.
        let other = await restarted.lookup("+49 30 1112223").complete()
        #expect(other.contact == nil)
        guard case .failed(let message)? = other.answers.first else { Issue.record("\(other.answers)"); return }
        #expect(message.contains("Can't contact LDAP server"), "\(message)")
    }

    @Test func aDirectoryThatIsDownIsReportedOnceAndNotAskedOnEveryCall() async throws {
        let client = testClient()
        defer { client.shutdown() }
        let log = LogRecorder()
        let service = lookupService([try Self.directory(uri: "ldap://127.0.0.1:\(TestProgram.freePort())")], client: client, log: log)
        let first = await service.lookup("+49 40 1234567").complete()
        guard case .failed? = first.answers.first else { Issue.record("\(first.answers)"); return }
        let second = service.lookup("+49 40 7654321").current
        guard case .skipped(let why)? = second.answers.first else { Issue.record("\(second.answers)"); return }
        #expect(why.contains("resting"))
        let warnings = log.all.filter { $0.hasPrefix("warning") }
        #expect(warnings.count == 1, "\(log.all)")
        #expect(warnings.first?.contains("directory company (ldap) failed") == true)
        #expect(warnings.first?.contains(TestSlapd.readerPassword) == false)
    }
}
