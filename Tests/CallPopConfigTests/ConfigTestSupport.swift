import CallPopConfig
import Foundation

// Shared helpers for the configuration tests: load text, collect diagnostics, temporary files.

/// An environment where `xdg-open` (from xdg-utils) and `/bin/echo` are found.
let standardEnvironment = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home"]

/// Loads `text` as the file `test.toml`.
func load(_ text: String, environment: [String: String] = standardEnvironment) throws -> Configuration {
    try ConfigurationLoader(environment: environment).load(text: text, name: "test.toml")
}

/// Every diagnostic loading `text` produces, as printed; empty when it loads.
func diagnostics(_ text: String, environment: [String: String] = standardEnvironment) -> [String] {
    do {
        _ = try ConfigurationLoader(environment: environment).load(text: text, name: "test.toml")
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

/// The minimal valid head of a configuration: `[user]`, the number, a blank line; what follows starts on line 4.
let userHead = "[user]\nnumber = \"201\"\n\n"

/// A directory under the system's temporary directory, removed when released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-config-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` at `relative` (creating folders) with `mode`, returning the full path.
    @discardableResult
    func write(_ relative: String, _ text: String, mode: Int = 0o644) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
        return full
    }
}
