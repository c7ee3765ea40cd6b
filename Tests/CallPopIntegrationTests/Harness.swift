import CallPopTestSupport
import Foundation
import Testing

/// Runs the built `callpop` binary in a scratch directory with a clean environment,
/// a recorder as `$BROWSER` (so the real `xdg-open` hands URLs to it) and a recorder
/// program for app rules.
struct Harness: Sendable {
    let directory: URL
    let browserLog: URL
    let appLog: URL
    let recorder: URL

    /// The built binary: next to the test bundle in the build directory.
    static var binary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("callpop")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return exe.deletingLastPathComponent().appendingPathComponent("callpop")
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("home"), withIntermediateDirectories: true)
        browserLog = directory.appendingPathComponent("browser.log")
        appLog = directory.appendingPathComponent("app.log")
        recorder = directory.appendingPathComponent("recorder")
        // Each invocation is recorded NUL-separated (arguments cannot hold NUL, but may
        // hold newlines): "BEGIN", the argument count, each argument, the CALLPOP_CALLERNAME
        // and CALLPOP_CALLERNUM environment values, "END".
        let script = """
            #!/bin/sh
            out="$RECORD_DIR/$(basename "$0").log"; record=$(mktemp)
            { printf 'BEGIN\\0%s\\0' "$#"; for a in "$@"; do printf '%s\\0' "$a"; done
              printf '%s\\0' "$CALLPOP_CALLERNAME" "$CALLPOP_CALLERNUM"; printf 'END\\0'; } > "$record"
            # One append per invocation: two popups of one call may record at the same moment.
            cat "$record" >> "$out"; rm -f "$record"
            """
        for name in ["browser", "app"] {
            let path = directory.appendingPathComponent(name)
            try script.write(to: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path)
        }
    }

    /// The environment the agent runs with: nothing from the developer's desktop.
    var environment: [String: String] {
        [
            "PATH": "\(directory.path):/usr/local/bin:/usr/bin:/bin",
            "HOME": directory.appendingPathComponent("home").path,
            "XDG_CONFIG_HOME": directory.appendingPathComponent("home/.config").path,
            "XDG_CONFIG_DIRS": directory.appendingPathComponent("etc-xdg").path,
            "XDG_DATA_HOME": directory.appendingPathComponent("home/.local/share").path,
            "XDG_DATA_DIRS": directory.appendingPathComponent("share").path,
            "BROWSER": directory.appendingPathComponent("browser").path,
            "RECORD_DIR": directory.path,
        ]
    }

    func write(_ name: String, _ text: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `callpop ARGS` with `input` on stdin and waits for it, off the cooperative pool.
    func run(_ arguments: [String], input: String? = nil, extraEnvironment: [String: String] = [:]) async throws -> Result {
        try await offPool { try runBlocking(arguments, input: input, extraEnvironment: extraEnvironment) }
    }

    private func runBlocking(_ arguments: [String], input: String?, extraEnvironment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = environment.merging(extraEnvironment) { $1 }
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe(), inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// One recorded invocation of a recorder.
    struct Invocation: Equatable {
        var argv: [String]
        var callerNameEnv: String
        var callerNumberEnv: String
    }

    /// Every invocation recorded in `browser.log` or `app.log`.
    func invocations(_ log: String) throws -> [Invocation] {
        let url = directory.appendingPathComponent("\(log).log")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        var fields = text.split(separator: "\0", omittingEmptySubsequences: false)[...]
        var result: [Invocation] = []
        while let begin = fields.first, begin == "BEGIN" {
            fields = fields.dropFirst()
            guard let countText = fields.popFirst(), let count = Int(countText), fields.count >= count + 3 else { break }
            let argv = fields.prefix(count).map(String.init)
            fields = fields.dropFirst(count)
            let name = String(fields.popFirst() ?? ""), number = String(fields.popFirst() ?? "")
            guard fields.popFirst() == "END" else { break }
            result.append(Invocation(argv: argv, callerNameEnv: name, callerNumberEnv: number))
        }
        return result
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}
