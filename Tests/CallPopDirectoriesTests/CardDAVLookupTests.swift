import CallPopCore
import CallPopDirectories
import CallPopLookup
import CallPopTestSupport
import Foundation
import Testing

/// A CardDAV address book as a directory, against a real Radicale
/// (scripts/test-servers/radicale.sh, 305 contacts with numbers in mixed formats): the first
/// sync, lookups in every format, incremental changes, the copy on disk across a restart, a
/// wrong password.
@Suite(.serialized) struct CardDAVLookupTests {
    static func directory(_ server: TestRadicale, password: String = TestRadicale.password, refresh: Duration = .seconds(900)) -> DirectorySettings {
        DirectorySettings(
            name: "radicale",
            kind: .cardDAV(CardDAVDirectorySettings(
                url: server.book, user: TestRadicale.user, password: DirectorySecret(password), refresh: refresh)),
            timeout: .seconds(10), recordHosts: ["crm.example.com"])
    }

    @Test func everyContactIsFoundByAnyFormOfItsNumber() async throws {
        _ = try await TestRadicale.with { server in
            let client = testClient()
            defer { client.shutdown() }
            let service = lookupService([Self.directory(server)], cache: try scratchDirectory("carddav"), client: client)
            await service.prepare()
            // The first lookup waits for the first sync.
            let anna = await service.lookup("+49 40 1234567").complete().contact
            #expect(anna == CallerContact(
                name: "Anna Alster", organisation: "Alster GmbH", url: "https://crm.example.com/contacts/anna", id: "anna", directory: "radicale"))
            #expect(await service.lookup("0171 2345678").complete().contact?.name == "Bernd Berg")
            #expect(await service.lookup("00442071234567").complete().contact?.organisation == "Fog; Ltd")
            for person in stride(from: 0, to: 300, by: 7) {
                let number = 3_000_000 + person
                let name = String(format: "Person %03d", person)
                for form in ["+4940\(number)", "040 \(number)", "0049-40-\(number)", "L0#040\(number)", "tel:+49-40-\(number)"] {
                    #expect(await service.lookup(form).complete().contact?.name == name, "\(form)")
                }
            }
            // One digit off: nobody, and no wrong person.
            for number in ["+49403000300", "0401234566", "+49 40 123456", "+49 41 1234567"] {
                #expect(await service.lookup(number).complete().contact == nil, "\(number)")
            }
            // Gina is one digit from Anna and finds only herself.
            #expect(await service.lookup("040 1234568").complete().contact?.name == "Gina Grün")
        }
    }

    @Test func changesOnTheServerArriveWithTheNextSync() async throws {
        _ = try await TestRadicale.with { server in
            let client = testClient()
            defer { client.shutdown() }
            let cache = try scratchDirectory("carddav-sync")
            // Every lookup finds the copy stale: each syncs (incrementally).
            let service = lookupService([Self.directory(server, refresh: .milliseconds(1))], cache: cache, client: client)
            await service.prepare()
            #expect(await service.lookup("040 1234568").complete().contact?.name == "Gina Grün")
            try await server.put("nora.vcf", "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:nora\r\nFN:Nora New\r\nTEL;VALUE=uri:tel:+49-40-9998887\r\nEND:VCARD\r\n")
            try await server.delete("gina.vcf")
            #expect(await service.lookup("040 999 88 87").complete().contact?.name == "Nora New")
            #expect(await service.lookup("040 1234568").complete().contact == nil)
            let report = await service.inspect("040 999 88 87")
            #expect(report.entries.first?.state.hasPrefix("305 contacts, synced") == true, "\(report.text)")
        }
    }

    @Test func theCopyOnDiskAnswersAfterARestartWithoutTheServer() async throws {
        let cache = try scratchDirectory("carddav-restart")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        var settings: DirectorySettings?
        _ = try await TestRadicale.with { server in
            let client = testClient()
            defer { client.shutdown() }
            settings = Self.directory(server)
            let service = lookupService([Self.directory(server)], cache: cache, client: client)
            await service.prepare()
            #expect(await service.lookup("+49 40 1234567").complete().contact?.name == "Anna Alster")
            #expect(await eventually { FileManager.default.fileExists(atPath: cache + "/carddav-radicale.json") })
        }
        let mirror = cache + "/carddav-radicale.json"
        #expect(mode(mirror) == 0o600)
        #expect(!((try? String(contentsOfFile: mirror, encoding: .utf8)) ?? "").contains(TestRadicale.password))
        let client = testClient()
        defer { client.shutdown() }
        let log = LogRecorder()
        let restarted = lookupService([try #require(settings)], cache: cache, client: client, log: log)
        await restarted.prepare()
        let clock = ContinuousClock()
        let started = clock.now
        #expect(await restarted.lookup("0401234567").complete().contact?.name == "Anna Alster")
        #expect(clock.now - started < .seconds(1), "a known caller is answered from the copy, not after the failing sync")
        #expect(await eventually { log.all.contains { $0.contains("syncing the address book failed") } }, "\(log.all)")
        #expect(log.all.filter { $0.hasPrefix("warning") }.count == 1)
    }

    @Test func aWrongPasswordIsAClearFailure() async throws {
        _ = try await TestRadicale.with { server in
            let client = testClient()
            defer { client.shutdown() }
            let log = LogRecorder()
            let service = lookupService([Self.directory(server, password: "wrong")], client: client, log: log)
            await service.prepare()
            let answer = await service.lookup("+49 40 1234567").complete().answers.first
            #expect(answer == .failed("the server refused the user name or password (HTTP 401)"))
            #expect(!log.all.joined().contains("wrong"))
        }
    }
}
