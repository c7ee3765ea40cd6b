import CallPopTestSupport
import Foundation
import Testing

/// `make install DESTDIR=… PREFIX=…` installs what the .deb installs
/// (packaging/install-manifest.txt, the list scripts/packaging-test.sh checks the package
/// against), and `make uninstall` takes it all away again.
@Suite("make install and make uninstall", .serialized)
struct InstallManifestTests {
    /// Runs `program ARGS` to its end; (status, what it printed on stdout).
    static func run(_ program: String, _ arguments: [String]) async throws -> (Int32, String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = try await ChildProcess.run([program] + arguments, output: output.path)
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// Runs `make ARGS` in the repository.
    static func make(_ arguments: [String]) async throws -> (Int32, String) {
        try await run("/usr/bin/make", ["--no-print-directory", "-C", Fixtures.repositoryRoot.path] + arguments)
    }

    /// Every file and link under `root`, as absolute paths inside it.
    static func files(under root: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey])
        var found: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true { continue }
            found.append(String(url.path.dropFirst(root.path.count)))
        }
        return found.sorted()
    }

    /// The manifest for `prefix`, without what only the Debian package carries.
    static func manifest(prefix: String) throws -> [String] {
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("packaging/install-manifest.txt"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasSuffix(" deb-only") }
            .map { prefix + $0.dropFirst("/usr".count) }.sorted()
    }

    @Test(arguments: ["/usr", "/usr/local"])
    func installsTheManifestAndUninstallsIt(_ prefix: String) async throws {
        let destdir = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-install-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: destdir) }
        let (status, output) = try await Self.make(["install", "DESTDIR=\(destdir.path)", "PREFIX=\(prefix)", "BINARY=\(Harness.binary.path)"])
        #expect(status == 0, "\(output)")
        let installed = Self.files(under: destdir)
        let outsideDocs = installed.filter { !$0.hasPrefix(prefix + "/share/doc/callpop/") }
        #expect(outsideDocs == (try Self.manifest(prefix: prefix)), "\(output)")
        // The documentation the .deb has (the package compresses the larger pages).
        for doc in ["README.md", "examples/config.toml", "install.md", "notifications.md", "pbx/asterisk.md"] {
            #expect(installed.contains(prefix + "/share/doc/callpop/" + doc), "missing \(doc)")
        }
        let unit = try String(contentsOf: destdir.appendingPathComponent(prefix + "/lib/systemd/user/callpop.service"), encoding: .utf8)
        #expect(unit.contains("\nExecStart=\(prefix)/bin/callpop run\n"))
        #expect(unit.contains("\nType=notify\n"))
        let mode = try FileManager.default.attributesOfItem(atPath: destdir.path + prefix + "/bin/callpop")[.posixPermissions] as? Int
        #expect(mode == 0o755)
        // The example is a configuration the installed program accepts.
        let check = try await Harness().run(["check", "--config", destdir.path + prefix + "/share/doc/callpop/examples/config.toml"])
        #expect(check.status == 0, "\(check.stderr)")

        let (removed, removal) = try await Self.make(["uninstall", "DESTDIR=\(destdir.path)", "PREFIX=\(prefix)"])
        #expect(removed == 0, "\(removal)")
        #expect(Self.files(under: destdir) == [], "left behind after make uninstall")
    }

    /// Both desktop entries pass desktop-file-validate, as lintian's checks would.
    @Test func theDesktopEntriesAreValid() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/desktop-file-validate") else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "desktop-file-utils is missing")
            return
        }
        for entry in ["packaging/callpop.desktop", "packaging/applications/callpop.desktop"] {
            let result = try await Self.run("/usr/bin/desktop-file-validate", [Fixtures.repositoryRoot.appendingPathComponent(entry).path])
            #expect(result == (0, ""), "\(entry): \(result.1)")
        }
        let application = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("packaging/applications/callpop.desktop"), encoding: .utf8)
        #expect(application.contains("\nX-GNOME-UsesNotifications=true\n"))
    }
}
