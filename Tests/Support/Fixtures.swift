public import Foundation

/// Paths to the recorded fixtures under `Tests/Fixtures`, found from this file's location
/// so tests work from any working directory of a plain clone.
public enum Fixtures {
    /// The `Tests/Fixtures` directory.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The repository's top directory.
    public static let repositoryRoot: URL = root.deletingLastPathComponent().deletingLastPathComponent()

    /// A fixture file, e.g. `Fixtures.url("asterisk-22/inbound-answered/ami.txt")`.
    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// The bytes of a fixture file.
    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relativePath)))
    }
}
