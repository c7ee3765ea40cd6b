import Foundation

/// A slapd started by `scripts/test-servers/slapd.sh` for one test, on free ports of
/// 127.0.0.1: `inetOrgPerson` entries under `ou=people,dc=example,dc=com` with numbers in
/// mixed formats, a reader account, and a CA for StartTLS and `ldaps://`.
public struct TestSlapd: Sendable {
    public let directory: String
    public let port: UInt16
    public let tlsPort: UInt16

    /// The search base of the people.
    public static let base = "ou=people,dc=example,dc=com"
    /// The reader's DN and password.
    public static let readerDN = "uid=reader,dc=example,dc=com"
    public static let readerPassword = "reader-secret"

    public static var available: Bool {
        TestProgram.available(["slapd", "slapadd", "ldapsearch", "openssl"], install: "scripts/deps.sh installs slapd ldap-utils openssl")
    }

    /// Runs `body` with a fresh server, stopped afterwards whatever happens.
    public static func with(_ body: (TestSlapd) async throws -> Void) async throws {
        let server = TestSlapd(directory: TestServerScript.directory("slapd"), port: TestProgram.freePort(), tlsPort: TestProgram.freePort())
        _ = try await TestServerScript.with("slapd.sh", directory: server.directory, arguments: ["\(server.port)", "\(server.tlsPort)"]) {
            try await body(server)
        }
    }

    /// `ldap://127.0.0.1:PORT`.
    public var uri: String { "ldap://127.0.0.1:\(port)" }
    /// The CA that signed the server's certificate.
    public var caFile: String { directory + "/ca.pem" }
}
