import CallPopCore
import CallPopDirectories
import CallPopLookup
import CallPopTestSupport
import Foundation
import Testing

/// A CRM's JSON API as a directory, against a real HTTP server on 127.0.0.1
/// (Tests/Tools/http_server.py): the request, the answer, the cache, a failing API and the
/// budget of rules that wait for the contact.
@Suite(.serialized) struct HTTPLookupTests {
    static let anna = #"{"result":{"records":[{"name":"Anna Alster","id":4711,"company":{"name":"Alster GmbH"},"url":"https://crm.example.com/contacts/4711"}]}}"#

    static func directory(_ server: TestHTTPServer, name: String = "crm", timeout: Duration = .seconds(3)) throws -> DirectorySettings {
        DirectorySettings(
            name: name,
            kind: .http(HTTPDirectorySettings(
                url: try Template(parsing: server.baseURL + "/api/search?phone={CALLERNUM:e164}"),
                headers: [HeaderField("Authorization", "Bearer tok-123", isSecret: true)],
                fields: JSONContactFields(
                    name: try JSONFieldPath("result.records[0].name"), organisation: try JSONFieldPath("result.records[0].company.name"),
                    url: try JSONFieldPath("result.records[0].url"), id: try JSONFieldPath("result.records[0].id")))),
            timeout: timeout, recordHosts: ["crm.example.com"])
    }

    @Test func theAPIIsAskedWithTheNumberAndItsAnswerIsCached() async throws {
        let server = try await TestHTTPServer.start(routes: ["/api/search": [.init(body: Self.anna)]])
        defer { Task { await server.stop() } }
        let client = testClient()
        defer { client.shutdown() }
        let cache = try scratchDirectory("http-cache")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let service = lookupService([try Self.directory(server)], cache: cache, client: client)
        await service.prepare()
        let found = await service.lookup("040 123 45 67").complete().contact
        #expect(found == CallerContact(
            name: "Anna Alster", organisation: "Alster GmbH", url: "https://crm.example.com/contacts/4711", id: "4711", directory: "crm"))
        let requests = server.requests()
        #expect(requests.count == 1)
        #expect(requests.first?.query == "phone=%2B49401234567")
        #expect(requests.first?.header("Authorization") == "Bearer tok-123")
        #expect(requests.first?.header("Accept") == "application/json")
        // The same number again, written otherwise: from the cache, no request.
        #expect(await service.lookup("+49 (0)40 1234567").complete().contact?.name == "Anna Alster")
        #expect(server.requests().count == 1)
        // Not a number: no request either.
        _ = await service.lookup("*)(uid=*").complete()
        #expect(server.requests().count == 1)
    }

    @Test func nobodyIsCachedTooAndAFailingAPIIsNotAskedOnEveryCall() async throws {
        let server = try await TestHTTPServer.start(routes: ["/api/search": [.init(status: 404, body: "{}"), .init(status: 500, body: "oops")]])
        defer { Task { await server.stop() } }
        let client = testClient()
        defer { client.shutdown() }
        let log = LogRecorder()
        let service = lookupService([try Self.directory(server)], cache: try scratchDirectory("http-nobody"), client: client, log: log)
        #expect(await service.lookup("+49 40 1111111").complete().answers == [.notFound])
        #expect(await service.lookup("+49 40 1111111").complete().answers == [.notFound])
        #expect(server.requests().count == 1, "nobody is cached")
        #expect(await service.lookup("+49 40 2222222").complete().answers == [.failed("the server answered HTTP 500")])
        #expect(service.lookup("+49 40 3333333").current.answers.first??.outcome == "skipped")
        #expect(service.lookup("+49 40 4444444").current.answers.first??.outcome == "skipped")
        #expect(server.requests().count == 2, "resting: not asked again")
        #expect(log.all.filter { $0.hasPrefix("warning") } == [
            "warning: directory crm (http) failed: the server answered HTTP 500; it is skipped for a while, not asked on every call",
        ])
    }

    @Test func aSlowDirectoryMissesTheBudgetAndItsLateAnswerStillComes() async throws {
        let server = try await TestHTTPServer.start(routes: ["/api/search": [.init(body: Self.anna, delay: 2.0)]])
        defer { Task { await server.stop() } }
        let client = testClient()
        defer { client.shutdown() }
        let service = lookupService([try Self.directory(server)], client: client)
        let clock = ContinuousClock()
        let started = clock.now
        let round = service.lookup("0401234567")
        let settled = await round.settled(within: .milliseconds(300))
        let waited = clock.now - started
        #expect(settled == nil)
        #expect(waited >= .milliseconds(280) && waited < .milliseconds(900), "waited \(waited)")
        let late = await round.complete()
        #expect(late.contact?.name == "Anna Alster")
        #expect(clock.now - started >= .seconds(2))
    }

    @Test func theFirstDirectoryInOrderWinsAndAnEarlierAnswerSettlesWithoutWaiting() async throws {
        let slow = try await TestHTTPServer.start(routes: ["/api/search": [.init(body: #"{"result":{"records":[{"name":"From the slow CRM"}]}}"#, delay: 1.0)]])
        let fast = try await TestHTTPServer.start(routes: ["/api/search": [.init(body: Self.anna)]])
        defer { Task { await slow.stop(); await fast.stop() } }
        let client = testClient()
        defer { client.shutdown() }
        // The slow one first: the fast answer must wait for it (it might know better).
        let slowFirst = lookupService([try Self.directory(slow, name: "slow"), try Self.directory(fast, name: "fast")], client: client)
        let round = slowFirst.lookup("0401234567")
        #expect(await round.settled(within: .milliseconds(300)) == nil)
        #expect(round.current.contact?.name == "Anna Alster", "the best so far, for the budget's end")
        #expect(await round.complete().contact?.name == "From the slow CRM")
        // The fast one first: settled at once, the slow one is not awaited.
        let fastFirst = lookupService([try Self.directory(fast, name: "fast"), try Self.directory(slow, name: "slow")], client: client)
        let settled = await fastFirst.lookup("0401234568").settled(within: .milliseconds(800))
        #expect(settled?.contact?.directory == "fast")
    }
}

extension HTTPLookupTests {
    @Test func aFloodOfCallsStartsABoundedNumberOfRequests() async throws {
        let server = try await TestHTTPServer.start(routes: ["/api/search": [.init(status: 404, body: "{}", delay: 0.5)]])
        defer { Task { await server.stop() } }
        let client = testClient()
        defer { client.shutdown() }
        let service = lookupService([try Self.directory(server)], client: client)
        let rounds = (0..<30).map { service.lookup("+49 40 10000\($0 + 10)") }
        let skipped = rounds.filter { $0.current.answers.first??.outcome == "skipped" }.count
        #expect(skipped == 30 - CallerLookupService.maximumInFlight)
        for round in rounds { _ = await round.complete() }
        #expect(server.requests().count == CallerLookupService.maximumInFlight)
        // Once they are answered, the directory is asked again.
        #expect(await service.lookup("+49 40 2000000").complete().answers == [.notFound])
    }
}
