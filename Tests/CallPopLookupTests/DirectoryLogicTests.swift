import CallPopCore
import CallPopLookup
import CallPopTestSupport
import Testing

/// The pure decisions of caller lookup: which answer wins, what the cache keeps and for how
/// long, when a failing directory is asked again, which record URLs may be opened, what a
/// CRM is asked and what its answer means.
@Suite struct DirectoryLogicTests {
    static let matcher = NumberMatcher(plan: NumberPlan(countryCode: "49"))

    static func contact(_ name: String, _ directory: String, url: String = "") -> Contact {
        Contact(name: name, url: url, directory: directory, numbers: [ContactNumber("+49 40 1234567")])
    }

    static let ldap = DirectorySettings(
        name: "company", kind: .ldap(LDAPDirectorySettings(uri: "ldap://127.0.0.1", base: "dc=example,dc=com", filter: try! LDAPFilterTemplate())))

    // MARK: Tally

    @Test func theFirstDirectoryInOrderWinsOnceEveryoneAheadOfItHasAnswered() {
        var tally = LookupTally(directories: ["cloud", "ldap", "crm"])
        tally.record(.found([Self.contact("From CRM", "crm")]), for: 2)
        #expect(tally.best?.name == "From CRM")
        #expect(!tally.isSettled, "cloud and ldap may still know better")
        tally.record(.notFound, for: 0)
        #expect(!tally.isSettled)
        tally.record(.found([Self.contact("From LDAP", "ldap")]), for: 1)
        #expect(tally.best?.name == "From LDAP")
        #expect(tally.isSettled && tally.isComplete)
        // A second answer for a directory is ignored.
        tally.record(.notFound, for: 1)
        #expect(tally.best?.name == "From LDAP")
    }

    @Test func aFoundContactAheadSettlesAtOnceAndNobodyEverywhereSettlesAtTheEnd() {
        var first = LookupTally(directories: ["cloud", "crm"])
        first.record(.found([Self.contact("Anna", "cloud")]), for: 0)
        #expect(first.isSettled && !first.isComplete)
        var nobody = LookupTally(directories: ["cloud", "crm"])
        nobody.record(.failed("down"), for: 1)
        #expect(!nobody.isSettled)
        nobody.record(.notFound, for: 0)
        #expect(nobody.isSettled && nobody.best == nil)
        #expect(LookupTally(directories: []).isSettled)
    }

    // MARK: Cache

    @Test func foundAndNotFoundAreKeptForTheirTimesAndFailuresNever() throws {
        var cache = LookupCache(plan: Self.matcher.plan)
        let key = LookupCache.key(for: "040 1234567", matcher: Self.matcher)
        #expect(key == "+49401234567")
        #expect(LookupCache.key(for: "+49 (0)40 123 45 67", matcher: Self.matcher) == key)
        #expect(LookupCache.key(for: "*)(uid=*", matcher: Self.matcher) == nil)
        let k = try #require(key)
        let stored = [
            cache.store(.found([Self.contact("Anna", "company")]), of: Self.ldap, key: k, now: 1000),
            cache.store(.notFound, of: Self.ldap, key: "+49301111111", now: 1000),
            cache.store(.failed("down"), of: Self.ldap, key: "+49302222222", now: 1000),
        ]
        #expect(stored == [true, true, false])
        func answer(_ key: String, at now: Int64) -> DirectoryAnswer? {
            cache.answer(Self.ldap, key: key, now: now, foundTTL: .seconds(3600), notFoundTTL: .seconds(60))
        }
        #expect(answer(k, at: 1000 + 3599)?.contact?.name == "Anna")
        #expect(answer(k, at: 1000 + 3600) == nil)
        #expect(answer("+49301111111", at: 1059) == .notFound)
        #expect(answer("+49301111111", at: 1060) == nil)
        #expect(answer("+49302222222", at: 1000) == nil)
        // A clock set back does not make answers last forever.
        #expect(answer(k, at: 999) == nil)
    }

    @Test func answersMadeUnderOtherSettingsOrAnotherPlanAreNotUsed() throws {
        var cache = LookupCache(plan: Self.matcher.plan)
        cache.store(.found([Self.contact("Anna", "company")]), of: Self.ldap, key: "+49401234567", now: 1000)
        var moved = Self.ldap
        moved.kind = .ldap(LDAPDirectorySettings(uri: "ldap://other.example.com", base: "dc=example,dc=com", filter: try LDAPFilterTemplate()))
        #expect(cache.answer(moved, key: "+49401234567", now: 1001, foundTTL: .seconds(60), notFoundTTL: .seconds(60)) == nil)

        let bytes = cache.encoded()
        let back = LookupCache.decoded(bytes, plan: Self.matcher.plan)
        #expect(back == cache)
        #expect(back.answer(Self.ldap, key: "+49401234567", now: 1001, foundTTL: .seconds(60), notFoundTTL: .seconds(60))?.contact?.name == "Anna")
        // Keys made under another plan mean something else: the whole cache is dropped.
        #expect(LookupCache.decoded(bytes, plan: NumberPlan(countryCode: "44")).count == 0)
    }

    @Test func pruningDropsStaleAnswersAndRemovedDirectoriesAndTheCacheIsBounded() {
        var cache = LookupCache(plan: Self.matcher.plan)
        cache.store(.notFound, of: Self.ldap, key: "+491", now: 0)
        cache.store(.notFound, of: Self.ldap, key: "+492", now: 100)
        cache.prune(keeping: [Self.ldap], now: 120, foundTTL: .seconds(60), notFoundTTL: .seconds(60))
        #expect(cache.count == 1)
        cache.prune(keeping: [], now: 120, foundTTL: .seconds(60), notFoundTTL: .seconds(60))
        #expect(cache.count == 0)
        for n in 0..<(LookupCache.maximumEntries + 1) { cache.store(.notFound, of: Self.ldap, key: "+49\(n)", now: Int64(n)) }
        #expect(cache.count <= LookupCache.maximumEntries)
        #expect(cache.answer(Self.ldap, key: "+490", now: 6000, foundTTL: .seconds(9999), notFoundTTL: .seconds(9999)) == nil, "the oldest went first")
        #expect(cache.answer(Self.ldap, key: "+49\(LookupCache.maximumEntries)", now: 6000, foundTTL: .seconds(9999), notFoundTTL: .seconds(9999)) == .notFound)
    }

    @Test func garbageCacheFilesReadAsEmptyCaches() {
        var generator = SplitMix64(seed: 0x1ACE)
        let valid = {
            var cache = LookupCache(plan: Self.matcher.plan)
            cache.store(.found([Self.contact("Anna", "company")]), of: Self.ldap, key: "+49401234567", now: 1)
            return cache.encoded()
        }()
        for round in 0..<300 {
            let bytes = round % 2 == 0
                ? ByteMutator.random(count: Int(generator.next() % 200), using: &generator)
                : ByteMutator.mutate(valid, alphabet: Array("{}[]\":,0123456789abc\\".utf8), edits: 1 + round % 5, using: &generator)
            let cache = LookupCache.decoded(bytes, plan: Self.matcher.plan)
            #expect(cache.count <= 1)
        }
    }

    // MARK: Health

    @Test func aFailingDirectoryIsReportedOnceRestsAndIsReportedBackOnce() throws {
        var health = DirectoryHealth(minimum: .seconds(30), maximum: .seconds(900))
        var generator = SplitMix64(seed: 7)
        let t = ContinuousClock.now
        #expect(health.isAvailable(at: t))
        let first = health.failed("connection refused", at: t, using: &generator)
        #expect(first == .down("connection refused"))
        #expect(!health.isAvailable(at: t + .seconds(1)), "not retried on the next call")
        #expect(!health.isAvailable(at: t + .seconds(14)))
        #expect(health.isAvailable(at: t + .seconds(30)))
        // Failing again: no second report, a longer rest.
        let second = health.failed("connection refused", at: t + .seconds(30), using: &generator)
        #expect(second == .none)
        let rest = try #require(health.restingUntil) - (t + .seconds(30))
        #expect(rest >= .seconds(30) && rest <= .seconds(60))
        #expect(health.lastFailure == "connection refused")
        let back = health.succeeded()
        #expect(back == .recovered)
        #expect(health.isAvailable(at: t + .seconds(31)))
        let again = health.succeeded()
        #expect(again == .none)
    }

    @Test func restsGrowToTheirCap() throws {
        var health = DirectoryHealth(minimum: .seconds(30), maximum: .seconds(900))
        var generator = SplitMix64(seed: 11)
        let t = ContinuousClock.now
        var longest = Duration.zero
        for _ in 0..<20 {
            _ = health.failed("timeout", at: t, using: &generator)
            longest = max(longest, try #require(health.restingUntil) - t)
        }
        #expect(longest > .seconds(450) && longest <= .seconds(900))
    }

    // MARK: Record hosts

    @Test("record URLs", arguments: [
        ("https://crm.example.com/contacts/1", true),
        ("HTTP://CRM.EXAMPLE.COM/contacts/1", true),
        ("https://crm.example.com:8443/contacts/1", true),
        ("https://eu.crm.example.com/contacts/1", false),
        ("https://crm.example.com.evil.net/", false),
        ("https://crm.example.com@evil.net/", false),
        ("https://evil.net/?crm.example.com", false),
        ("javascript:alert('crm.example.com')", false),
        ("file:///etc/passwd", false),
        ("crm.example.com/contacts/1", false),
        ("", false),
        ("https://app.example.org/x", true),
        ("https://example.org/x", true),
        ("https://badexample.org/x", false),
    ])
    func recordHosts(_ url: String, _ admitted: Bool) {
        #expect(RecordHosts(["crm.example.com", "*.example.org"]).admits(url) == admitted)
    }

    @Test func aPortInThePatternMustMatch() {
        let hosts = RecordHosts(["crm.example.com:8443"])
        #expect(hosts.admits("https://crm.example.com:8443/a"))
        #expect(!hosts.admits("https://crm.example.com/a"))
        #expect(RecordHosts.host(of: "https://anna@Cloud.Example.com:8443/remote.php/dav/") == "cloud.example.com:8443")
        #expect(!RecordHosts.isValidPattern("crm.example.com/path") && !RecordHosts.isValidPattern("") && RecordHosts.isValidPattern("*.example.com"))
    }

    @Test func onlyAdmittedURLsReachTheCall() {
        let contact = Contact(name: "Anna", url: "https://evil.net/x", id: "1", directory: "cloud")
        #expect(contact.callerContact(recordHosts: RecordHosts(["crm.example.com"])).url == "")
        #expect(contact.callerContact(recordHosts: RecordHosts(["evil.net"])).url == "https://evil.net/x")
    }

    // MARK: A CRM's JSON API

    static let api = HTTPDirectorySettings(
        url: try! Template(parsing: "https://crm.example.com/api/search?phone={CALLERNUM:e164}&raw={CALLERNUM}"),
        fields: JSONContactFields(
            name: try! JSONFieldPath("data[0].name"), organisation: try! JSONFieldPath("data[0].company.name"),
            url: try! JSONFieldPath("data[0].links.self"), id: try! JSONFieldPath("data[0].id")))

    @Test func theRequestCarriesTheNumberEncodedAndNothingIsAskedForNonNumbers() throws {
        #expect(try Self.api.requestURL(for: "040 1234567", matcher: Self.matcher)
            == "https://crm.example.com/api/search?phone=%2B49401234567&raw=0401234567")
        #expect(try Self.api.requestURL(for: "*)(uid=*", matcher: Self.matcher) == nil)
        #expect(try Self.api.requestURL(for: "anonymous", matcher: Self.matcher) == nil)
        #expect(try Self.api.requestURL(for: "+49 40 1234567&admin=1#", matcher: Self.matcher)
            == "https://crm.example.com/api/search?phone=%2B49401234567&raw=%2B49401234567")
        #expect(try Self.api.requestURL(for: "tel:+49-40-1234567;ext=22", matcher: Self.matcher)
            == "https://crm.example.com/api/search?phone=%2B49401234567&raw=%2B49401234567")
    }

    @Test func responsesMeanFoundNobodyOrFailure() {
        let found = Array(#"{"data":[{"name":"Anna Alster","id":4711,"company":{"name":"Alster GmbH"},"links":{"self":"https://crm.example.com/c/4711"}}]}"#.utf8)
        let answer = Self.api.answer(status: 200, body: found, directory: "crm")
        #expect(answer.contact == Contact(name: "Anna Alster", organisation: "Alster GmbH", url: "https://crm.example.com/c/4711", id: "4711", directory: "crm"))
        #expect(Self.api.answer(status: 200, body: Array(#"{"data":[]}"#.utf8), directory: "crm") == .notFound)
        #expect(Self.api.answer(status: 404, body: [], directory: "crm") == .notFound)
        #expect(Self.api.answer(status: 401, body: [], directory: "crm") == .failed("the server refused the credentials (HTTP 401)"))
        #expect(Self.api.answer(status: 500, body: [], directory: "crm") == .failed("the server answered HTTP 500"))
        #expect(Self.api.answer(status: 200, body: Array("<html>".utf8), directory: "crm").outcome == "failed")
    }

    // MARK: Files

    @Test func fileFormatsByNameAndByContent() throws {
        #expect(ContactFiles.format(ofName: "Contacts.VCF") == .vCard)
        #expect(ContactFiles.format(ofName: "a.vcard") == .vCard)
        #expect(ContactFiles.format(ofName: "google.csv") == .csv)
        #expect(ContactFiles.format(ofName: "notes.txt") == nil)
        let card = Array("\u{FEFF}BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna\r\nTEL:040 1234567\r\nEND:VCARD\r\n".utf8)
        #expect(try ContactFiles.contacts(in: card, name: "export", directory: "f").map(\.name) == ["Anna"])
        let csv = Array("name,number\nBernd,040 7654321\n".utf8)
        #expect(try ContactFiles.contacts(in: csv, name: "export", directory: "f").map(\.name) == ["Bernd"])
    }
}
