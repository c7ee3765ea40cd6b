import CallPopSetup
import Foundation
import Testing

/// Review finding: `callpop init --config PATH` must not change a directory it does not own
/// as its own (a shared /tmp, /etc/xdg/callpop), yet keeps the user's callpop directory private.
@Suite("callpop init: directory permissions")
struct InitPathTests {
    @Test func anExistingSharedDirectoryKeepsItsMode() throws {
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-shared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: shared) }
        let file = shared.appendingPathComponent("config.toml").path
        try StarterConfiguration(number: "201", name: "").write(to: file, force: false)
        let directoryMode = try FileManager.default.attributesOfItem(atPath: shared.path)[.posixPermissions] as? Int
        let fileMode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(directoryMode == 0o755)
        #expect(fileMode == 0o600)
    }
}
