import CallPopLDAP
import CallPopTestSupport
import Foundation

/// A slapd started by `scripts/test-servers/slapd.sh` for one test, on free ports of 127.0.0.1.
struct TestSlapd {
    let directory: String
    let port: UInt16
    let tlsPort: UInt16

    static var available: Bool {
        TestProgram.available(["slapd", "slapadd", "ldapsearch", "openssl"], install: "scripts/deps.sh installs slapd ldap-utils openssl")
    }

    /// Runs `body` with a fresh server, stopped afterwards whatever happens.
    static func with(_ body: (TestSlapd) async throws -> Void) async throws {
        let server = TestSlapd(directory: TestServerScript.directory("slapd"), port: TestProgram.freePort(), tlsPort: TestProgram.freePort())
        _ = try await TestServerScript.with("slapd.sh", directory: server.directory, arguments: ["\(server.port)", "\(server.tlsPort)"]) {
            try await body(server)
        }
    }

    var caFile: String { directory + "/ca.pem" }

    func settings(
        uri: String? = nil, startTLS: Bool = false, bindDN: String? = "uid=reader,dc=example,dc=com", password: String = "reader-secret",
        timeout: Duration = .seconds(3), caFile: String? = nil
    ) -> LDAPSettings {
        LDAPSettings(
            uri: uri ?? "ldap://127.0.0.1:\(port)", startTLS: startTLS, bindDN: bindDN, password: LDAPPassword(password),
            base: "ou=people,dc=example,dc=com", timeout: timeout, caFile: caFile)
    }
}
