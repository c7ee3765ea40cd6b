import Foundation
import Glibc
import Synchronization

/// A real HTTP(S) server on 127.0.0.1 (or a Unix socket) for one test: `Tests/Tools/http_server.py`
/// in a child process, answering from a script the test can change while it runs, and
/// logging every request it receives (method, path, query, headers, body) before answering.
public final class TestHTTPServer: @unchecked Sendable {
    /// One scripted answer; see the script's documentation for each field.
    public struct Response: Codable, Sendable {
        public var status: Int?
        public var headers: [String: String]?
        public var body: String?
        public var delay: Double?
        public var drop: Bool?
        public var etag: String?
        public var last_modified: String?
        public var chunks: [Chunk]?
        public var hold: Double?

        /// One piece of a streamed body.
        public struct Chunk: Codable, Sendable {
            public var data: String
            public var delay: Double?
            public var `repeat`: Int?
            public init(_ data: String, delay: Double? = nil, repeat count: Int? = nil) {
                self.data = data
                self.delay = delay
                self.repeat = count
            }
        }

        public init(
            status: Int? = nil, headers: [String: String]? = nil, body: String? = nil, delay: Double? = nil,
            drop: Bool? = nil, etag: String? = nil, lastModified: String? = nil, chunks: [Chunk]? = nil, hold: Double? = nil
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
            self.drop = drop
            self.etag = etag
            self.last_modified = lastModified
            self.chunks = chunks
            self.hold = hold
        }
    }

    /// A request as the server received it.
    public struct Request: Decodable, Sendable, CustomStringConvertible {
        public var method: String
        /// The request target as sent: a path, or an absolute URL when sent to a proxy.
        public var target: String
        public var path: String
        public var query: String
        public var headers: [[String]]
        public var body: String
        public var time: Double

        /// The first value of header `name` (any case).
        public func header(_ name: String) -> String? {
            headers.first { $0.first?.lowercased() == name.lowercased() }?.last
        }

        public var description: String { "\(method) \(path)?\(query) \(headers) \(body)" }
    }

    /// TLS files for the server: a certificate for 127.0.0.1 and localhost signed by `caFile`.
    public struct TLSFiles: Sendable {
        public var caFile: String
        public var certificate: String
        public var key: String
    }

    /// The port (TCP servers).
    public let port: Int
    /// `http://127.0.0.1:PORT` or `https://…`.
    public let baseURL: String
    /// Where the server's files live (the script, the log).
    public let directory: String
    private let pid: pid_t
    private let stopped = Mutex(false)
    private let scriptPath: String
    private let logPath: String

    private init(port: Int, baseURL: String, directory: String, pid: pid_t) {
        self.port = port
        self.baseURL = baseURL
        self.directory = directory
        self.pid = pid
        scriptPath = directory + "/script.json"
        logPath = directory + "/requests.jsonl"
    }

    /// Starts a server with `routes` (path → answers in turn; the last repeats).
    public static func start(
        routes: [String: [Response]], default fallback: Response? = nil, tls: TLSFiles? = nil, unixSocket: String? = nil,
        port: Int = 0
    ) async throws -> TestHTTPServer {
        let directory = NSTemporaryDirectory() + "callpop-http-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try writeScript(routes: routes, default: fallback, to: directory + "/script.json")
        let portFile = directory + "/port"
        var arguments = [
            "/usr/bin/python3", Fixtures.repositoryRoot.appendingPathComponent("Tests/Tools/http_server.py").path,
            "--script", directory + "/script.json", "--log", directory + "/requests.jsonl", "--port-file", portFile,
            "--port", String(port),
        ]
        if let tls { arguments += ["--cert", tls.certificate, "--key", tls.key] }
        if let unixSocket { arguments += ["--unix", unixSocket] }
        let pid = try ChildProcess.spawn(arguments, output: directory + "/server.out")
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: portFile) {
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                _ = await ChildProcess.wait(pid)
                throw TestAMIServer.ServerError("http_server.py did not start: \((try? String(contentsOfFile: directory + "/server.out", encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let written = try String(contentsOfFile: portFile, encoding: .utf8)
        let actualPort = Int(written) ?? 0
        let base = unixSocket != nil ? "http://localhost" : "\(tls == nil ? "http" : "https")://127.0.0.1:\(actualPort)"
        return TestHTTPServer(port: actualPort, baseURL: base, directory: directory, pid: pid)
    }

    /// Replaces the script; the server reads it at its next request (its counters start over).
    public func setRoutes(_ routes: [String: [Response]], default fallback: Response? = nil) throws {
        try Self.writeScript(routes: routes, default: fallback, to: scriptPath)
    }

    private static func writeScript(routes: [String: [Response]], default fallback: Response?, to path: String) throws {
        struct Script: Encodable {
            var routes: [String: [Response]]
            var `default`: Response?
        }
        let data = try JSONEncoder().encode(Script(routes: routes, default: fallback))
        // Atomically, so the server never reads half a script.
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Every request received so far, in order.
    public func requests() -> [Request] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// Waits until `count` requests arrived or `seconds` passed; returns what arrived.
    public func waitForRequests(_ count: Int, seconds: Double = 10) async -> [Request] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var seen = requests()
        while seen.count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            seen = requests()
        }
        return seen
    }

    /// Stops the server and waits for it.
    public func stop() async {
        guard stopped.withLock({ let was = $0; $0 = true; return !was }) else { return }
        kill(pid, SIGTERM)
        _ = await ChildProcess.wait(pid)
    }

    /// A server a test forgot to stop does not outlive it (the pid is still ours: not yet reaped).
    deinit {
        if !stopped.withLock({ $0 }) { kill(pid, SIGKILL) }
    }

    /// A CA and a server certificate for 127.0.0.1 / localhost, made with `openssl` in `directory`.
    public static func makeCertificates(in directory: String) async throws -> TLSFiles {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = TLSFiles(caFile: directory + "/ca.pem", certificate: directory + "/server.pem", key: directory + "/server.key")
        let extensions = directory + "/san.cnf"
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=callpop test CA", "-keyout", directory + "/ca.key", "-out", files.caFile],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", files.key, "-out", directory + "/server.csr"],
            ["x509", "-req", "-in", directory + "/server.csr", "-CA", files.caFile, "-CAkey", directory + "/ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", files.certificate],
        ]
        for step in steps {
            let status = try await ChildProcess.run(["/usr/bin/openssl"] + step, output: directory + "/openssl.out")
            guard status == 0 else { throw TestAMIServer.ServerError("openssl \(step[0]) failed") }
        }
        return files
    }
}
