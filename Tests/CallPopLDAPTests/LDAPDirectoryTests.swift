import CallPopCore
import CallPopLDAP
import CallPopLookup
import Foundation
import Glibc
import CallPopTestSupport
import Testing

/// `LDAPDirectory` against a real OpenLDAP slapd whose entries write numbers in mixed formats
/// (scripts/test-servers/slapd.sh).
@Suite(.serialized) struct LDAPDirectoryTests {
    static let matcher = NumberMatcher(plan: NumberPlan(countryCode: "49"))

    static func query(_ template: String = LDAPFilterTemplate.standard) throws -> LDAPQuery {
        LDAPQuery(directory: "corp", matcher: matcher, template: try LDAPFilterTemplate(template))
    }

    /// (caller number as the PBX sends it, expected uid)
    static let calls: [(String, String)] = [
        ("+49401234567", "anna"), ("0401234567", "anna"), ("0049 40 123 45 67", "anna"), ("L0#0401234567", "anna"),
        ("+49 40 7654321", "bernd"), ("01712345678", "bernd"), ("+491712345678", "bernd"),
        ("030 1112223", "clara"), ("+49301112223", "clara"),
        ("089998877", "dieter"), ("+49 40 5551234", "emil"), ("0044 20 71234567", "frank"), ("+442071234567", "frank"),
        ("201", "hugo"),
        ("+49403000000", "gen000"), ("0403000001", "gen001"), ("+49 40 3000002", "gen002"), ("040 3000003", "gen003"),
        ("0049403000004", "gen004"), ("+49 (0)40 3000005", "gen005"), ("040/3000239", "gen239"),
    ]

    @Test func findsTheRightContactForNumbersInEveryFormat() async throws {
        guard TestSlapd.available else { return }
        try await TestSlapd.with { server in
            let directory = try LDAPDirectory(settings: server.settings())
            for template in [LDAPFilterTemplate.standard, "(|(telephoneNumber={NUMBER})(mobile={NUMBER})(homePhone={NUMBER}))"] {
                for (number, uid) in Self.calls {
                    let contacts = try await directory.lookup(number, query: try Self.query(template))
                    let found = contacts.map(\.id)
                    if template == LDAPFilterTemplate.standard {
                        #expect(found == ["uid=\(uid),ou=people,dc=example,dc=com"], "\(number): \(found)")
                    } else if !found.isEmpty {
                        // Exact forms find only what the directory wrote in one of them; never a wrong one.
                        #expect(found == ["uid=\(uid),ou=people,dc=example,dc=com"], "\(number) with {NUMBER}: \(found)")
                    }
                }
            }
            let anna = try #require(try await directory.lookup("+49 40 1234567", query: try Self.query()).first)
            #expect(anna == Contact(
                name: "Anna Alster", organisation: "Alster GmbH", url: "https://crm.example.com/contacts/anna",
                id: "uid=anna,ou=people,dc=example,dc=com", directory: "corp",
                numbers: [ContactNumber("+49 40 1234567", kinds: ["telephonenumber"])]))
            let bernd = try #require(try await directory.lookup("040 7654321", query: try Self.query()).first)
            #expect(bernd.organisation == "Berg & Söhne")
        }
    }

    @Test func aNumberOneDigitOffOrUnknownFindsNobody() async throws {
        guard TestSlapd.available else { return }
        try await TestSlapd.with { server in
            let directory = try LDAPDirectory(settings: server.settings())
            // Gina is +49 40 1234568: one digit from Anna; each must find only itself.
            #expect(try await directory.lookup("+49 40 1234568", query: try Self.query()).map(\.name) == ["Gina Grün"])
            for number in ["+49 40 1234569", "+49 41 1234567", "+49 40 123456", "0401234566", "+43 40 1234567", "202", "+49403000240"] {
                #expect(try await directory.lookup(number, query: try Self.query()).isEmpty, "\(number)")
            }
        }
    }

    @Test func anInjectionAttemptMatchesNothing() async throws {
        guard TestSlapd.available else { return }
        try await TestSlapd.with { server in
            let directory = try LDAPDirectory(settings: server.settings())
            for template in [LDAPFilterTemplate.standard, "(|(telephoneNumber={NUMBER})(mobile={NUMBER}))"] {
                let query = try Self.query(template)
                for number in ["*)(uid=*", "*", "*)(|(objectClass=*", "*)(uid=*)(telephoneNumber=0401234567", "\\2a", "*\u{0}*", ")(telephoneNumber=*"] {
                    #expect(try await directory.lookup(number, query: query).isEmpty, "\(number) with \(template)")
                    // And no search is made at all: the text is no phone number.
                    #expect(query.filter(for: number) == nil, "\(number)")
                    // Escaped as a value, the same text finds nothing on the server.
                    let literal = "(telephoneNumber=\(LDAPFilterValue.escape(number)))"
                    #expect(try await directory.search(filter: literal, attributes: ["cn"]).isEmpty, "\(literal)")
                }
            }
            // Unescaped, the same text would have matched everyone (up to the size limit of 20):
            // the empty answers above are not those of an empty directory.
            #expect(try await directory.search(filter: "(|(telephoneNumber=*)(uid=*))", attributes: ["cn"]).count == 20)
        }
    }

    @Test func aWrongPasswordIsAClearError() async throws {
        guard TestSlapd.available else { return }
        try await TestSlapd.with { server in
            let directory = try LDAPDirectory(settings: server.settings(password: "wrong"))
            let query = try Self.query()
            do throws(LDAPError) {
                _ = try await directory.lookup("+49401234567", query: query)
                Issue.record("a wrong password was accepted")
            } catch {
                #expect(error.code == .invalidCredentials)
                #expect(error.resultCode == 49)
                #expect(error.message.contains("Invalid credentials"), "\(error.message)")
                #expect(!error.message.contains("wrong"), "the password must not appear in the message")
            }
            // Anonymous binds are allowed by this server: no DN is no bind.
            let anonymous = try LDAPDirectory(settings: server.settings(bindDN: nil))
            #expect(try await anonymous.lookup("0401234567", query: try Self.query()).map(\.name) == ["Anna Alster"])
        }
    }

    @Test func startTLSAndLdapsNeedTheCA() async throws {
        guard TestSlapd.available else { return }
        try await TestSlapd.with { server in
            let startTLS = try LDAPDirectory(settings: server.settings(startTLS: true, caFile: server.caFile))
            #expect(try await startTLS.lookup("+49401234567", query: try Self.query()).map(\.name) == ["Anna Alster"])
            let ldaps = try LDAPDirectory(settings: server.settings(uri: "ldaps://127.0.0.1:\(server.tlsPort)", caFile: server.caFile))
            #expect(try await ldaps.lookup("+49401234567", query: try Self.query()).map(\.name) == ["Anna Alster"])
            let query = try Self.query()
            for settings in [server.settings(startTLS: true), server.settings(uri: "ldaps://127.0.0.1:\(server.tlsPort)")] {
                let directory = try LDAPDirectory(settings: settings)
                do throws(LDAPError) {
                    _ = try await directory.lookup("+49401234567", query: query)
                    Issue.record("TLS without the CA was accepted: \(settings.uri)")
                } catch {
                    #expect(error.code == .tlsFailed, "\(settings.uri): \(error)")
                }
            }
        }
    }

    @Test func aServerThatIsDownIsAClearErrorWithinTheTimeout() async throws {
        // Nothing listens on this port: refused at once.
        let refused = try LDAPDirectory(settings: LDAPSettings(uri: "ldap://127.0.0.1:\(TestProgramPort.closed())", base: "dc=x", timeout: .seconds(2)))
        let clock = ContinuousClock()
        var started = clock.now
        do throws(LDAPError) {
            _ = try await refused.search(filter: "(uid=a)", attributes: [])
            Issue.record("a search against a closed port succeeded")
        } catch {
            #expect(error.code == .serverDown, "\(error)")
            #expect(error.message.contains("Can't contact LDAP server"), "\(error.message)")
        }
        #expect(clock.now - started < .seconds(2))

        // A server that accepts connections and never answers: the lookup ends at its timeout.
        let silent = try SilentListener()
        defer { silent.close() }
        let hanging = try LDAPDirectory(settings: LDAPSettings(
            uri: "ldap://127.0.0.1:\(silent.port)", bindDN: "cn=x", password: LDAPPassword("p"), base: "dc=x", timeout: .milliseconds(700)))
        started = clock.now
        do throws(LDAPError) {
            _ = try await hanging.search(filter: "(uid=a)", attributes: [])
            Issue.record("a search against a silent server succeeded")
        } catch {
            #expect(error.code == .timeout, "\(error)")
        }
        let elapsed = clock.now - started
        #expect(elapsed >= .milliseconds(600) && elapsed < .milliseconds(1700), "took \(elapsed)")
    }

    @Test(arguments: ["ldapi:///var/run/slapd.sock", "ldap://a ldap://b", "http://127.0.0.1", "ldap://x\n"])
    func refusesURIsThatAreNotOneLDAPServer(uri: String) {
        #expect(throws: LDAPError.self) { try LDAPDirectory(settings: LDAPSettings(uri: uri, base: "dc=x")) }
    }

    @Test func startTLSOnLdapsIsRefused() {
        #expect(throws: LDAPError.self) { try LDAPDirectory(settings: LDAPSettings(uri: "ldaps://h", startTLS: true, base: "dc=x")) }
    }

    @Test func thePasswordNeverPrints() {
        let settings = LDAPSettings(uri: "ldap://h", bindDN: "cn=a", password: LDAPPassword("hunter2"), base: "dc=x")
        #expect(!"\(settings)".contains("hunter2"))
        #expect(!String(reflecting: settings).contains("hunter2"))
    }
}

/// Ports for the down-server test.
enum TestProgramPort {
    /// A port nothing listens on.
    static func closed() -> UInt16 { CallPopTestSupport.TestProgram.freePort() }
}

/// A TCP listener on 127.0.0.1 that never accepts: connections complete in the kernel's backlog
/// and then hear nothing, like a hung server.
final class SilentListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw LDAPError(.serverDown, "cannot listen") }
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() { Glibc.close(fd) }
}
