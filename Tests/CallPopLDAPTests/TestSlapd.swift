import CallPopLDAP
import CallPopTestTools
import Foundation

/// A slapd started by `scripts/test-servers/slapd.sh` for one test, on free ports of 127.0.0.1.
struct TestSlapd {
    let directory: String
    let port: UInt16
    let tlsPort: UInt16

    static let script = TestProgram.repositoryRoot.appendingPathComponent("scripts/test-servers/slapd.sh").path

    static var available: Bool {
        TestProgram.available(["slapd", "slapadd", "ldapsearch", "openssl"], install: "scripts/deps.sh installs slapd ldap-utils openssl")
    }

    /// Runs `body` with a fresh server, stopped afterwards whatever happens.
    static func with<T>(_ body: (TestSlapd) async throws -> T) async throws -> T {
        let server = TestSlapd(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("callpop-slapd-\(UUID().uuidString.prefix(8))").path,
            port: TestProgram.freePort(), tlsPort: TestProgram.freePort())
        let started = try await TestProgram.run(["/bin/bash", script, "start", server.directory, "\(server.port)", "\(server.tlsPort)"])
        guard started.status == 0 else {
            _ = try? await TestProgram.run(["/bin/bash", script, "stop", server.directory])
            throw LDAPError(.serverDown, "slapd.sh start failed: \(started.output)")
        }
        do {
            let result = try await body(server)
            _ = try await TestProgram.run(["/bin/bash", script, "stop", server.directory])
            return result
        } catch {
            _ = try? await TestProgram.run(["/bin/bash", script, "stop", server.directory])
            throw error
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
