import Foundation
import Testing

/// A server started by one of `scripts/test-servers/*.sh` for one test: `start DIR ARGS…`
/// before, `stop DIR` after, whatever happens.
public enum TestServerScript {
    /// Runs `body` with the server up; `nil` (and a recorded issue) when it would not start.
    public static func with<T>(
        _ name: String, directory: String, arguments: [String], _ body: () async throws -> T
    ) async throws -> T? {
        let script = TestProgram.repositoryRoot.appendingPathComponent("scripts/test-servers/\(name)").path
        let stop = { _ = try? await TestProgram.run(["/bin/bash", script, "stop", directory]) }
        let started = try await TestProgram.run(["/bin/bash", script, "start", directory] + arguments)
        guard started.status == 0 else {
            await stop()
            Issue.record("\(name) start failed: \(started.output)")
            return nil
        }
        do {
            let result = try await body()
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// A new directory path under the temporary directory for one server.
    public static func directory(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("callpop-\(prefix)-\(UUID().uuidString.prefix(8))").path
    }
}
