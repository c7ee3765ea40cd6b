import Foundation

/// A Radicale CardDAV server started by `scripts/test-servers/radicale.sh` for one test, on a
/// free port of 127.0.0.1: user `anna` (password `anna-secret`) with the address book
/// `/anna/contacts/` of 305 generated contacts. Changes go through `curl`, as another client's would.
public struct TestRadicale: Sendable {
    public let directory: String
    public let port: UInt16

    public static let user = "anna"
    public static let password = "anna-secret"

    /// The address book's URL.
    public var book: String { "http://127.0.0.1:\(port)/anna/contacts/" }

    /// Runs `body` with a fresh server, stopped afterwards; nil (and nothing run) without Radicale.
    public static func with<T>(_ body: (TestRadicale) async throws -> T) async throws -> T? {
        guard TestProgram.available(["curl", "radicale"], install: "scripts/deps.sh installs radicale curl") else { return nil }
        let server = TestRadicale(directory: TestServerScript.directory("radicale"), port: TestProgram.freePort())
        return try await TestServerScript.with("radicale.sh", directory: server.directory, arguments: ["\(server.port)"]) { try await body(server) }
    }

    /// Runs `curl` as the address book's owner; the response body.
    public func curl(_ arguments: [String]) async throws -> [UInt8] {
        let outcome = try await TestProgram.run(["/usr/bin/curl", "-s", "--max-time", "10", "-u", "\(Self.user):\(Self.password)"] + arguments)
        guard outcome.status == 0 else { throw TestAMIServer.ServerError("curl failed (\(outcome.status)): \(outcome.output)") }
        return Array(outcome.output.utf8)
    }

    /// Stores `vcard` as the member `name` of the address book.
    public func put(_ name: String, _ vcard: String) async throws {
        let file = directory + "/put-\(UUID().uuidString.prefix(8))"
        try Data(vcard.utf8).write(to: URL(fileURLWithPath: file))
        _ = try await curl(["-X", "PUT", "-H", "Content-Type: text/vcard", "--data-binary", "@" + file, book + name])
    }

    /// Deletes the member `name`.
    public func delete(_ name: String) async throws {
        _ = try await curl(["-X", "DELETE", book + name])
    }
}
