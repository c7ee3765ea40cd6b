import CallPopCurl
import CallPopTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `CurlStream` over real sockets: plain TCP on IPv4 and IPv6, name resolution, and TLS
/// (verified by default, trusted through a CA file) against `openssl s_server`.
@Suite(.timeLimit(.minutes(1))) struct CurlStreamTests {
    /// Reads until `expected` arrived or the peer closed; waits in poll, never spins.
    static func read(_ stream: CurlStream, until expected: String) throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !String(decoding: received, as: UTF8.self).contains(expected) {
            switch try stream.read(into: &buffer) {
            case .bytes(let count): received += buffer[..<count]
            case .closed: return String(decoding: received, as: UTF8.self)
            case .wouldBlock:
                var entry = pollfd(fd: stream.socket, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 5000) > 0 else { return String(decoding: received, as: UTF8.self) }
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    static func sendAll(_ stream: CurlStream, _ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = try stream.send(bytes[offset...])
            if sent == 0 {
                var entry = pollfd(fd: stream.socket, events: Int16(POLLOUT), revents: 0)
                _ = poll(&entry, 1, 5000)
            }
            offset += sent
        }
    }

    @Test func plainTCPOverIPv4() throws {
        let server = try TestAMIServer(secret: "x", scripts: [.init()])
        defer { server.stop() }
        let stream = try CurlStream(host: "127.0.0.1", port: server.port, tls: false)
        #expect(try Self.read(stream, until: "\r\n") == "Asterisk Call Manager/11.0.0\r\n")
    }

    @Test func plainTCPOverIPv6AndByName() throws {
        let listener = try OneShotListener(ipv6: true, greeting: "Asterisk Call Manager/11.0.0\r\n")
        let stream = try CurlStream(host: "[::1]", port: listener.port, tls: false)
        #expect(try Self.read(stream, until: "\r\n") == "Asterisk Call Manager/11.0.0\r\n")
        let byName = try OneShotListener(ipv6: false, greeting: "hello\r\n")
        let named = try CurlStream(host: "localhost", port: byName.port, tls: false)
        #expect(try Self.read(named, until: "\r\n") == "hello\r\n")
    }

    @Test func refusedConnectionHasAMessage() throws {
        let listener = try OneShotListener(ipv6: false, greeting: "")
        let port = listener.port
        listener.closeNow()
        #expect {
            _ = try CurlStream(host: "127.0.0.1", port: port, tls: false)
        } throws: { error in
            (error as? CurlError)?.message.hasPrefix("Couldn't connect to server") == true
        }
    }

    @Test(arguments: ["", "pbx/evil", "a b", "x@y"])
    func invalidHostsAreRejected(host: String) {
        #expect(throws: CurlError(code: -1, message: "invalid host \"\(host)\" or port 5038")) {
            _ = try CurlStream(host: host, port: 5038, tls: false)
        }
    }

    /// TLS needs `openssl` (s_server and a throw-away certificate). Under CI it must be there.
    static func openssl() throws -> String? {
        let path = "/usr/bin/openssl"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            throw TestAMIServer.ServerError("openssl is missing; CI must install the openssl package")
        }
        print("skipping TLS tests: \(path) not found (apt-get install openssl)")
        return nil
    }

    @Test func tlsIsVerifiedByDefaultAndTrustsTheCAFile() throws {
        guard let openssl = try Self.openssl() else { return }
        let server = try TLSEchoServer(openssl: openssl)
        defer { server.stop() }
        // A self-signed certificate is refused unless trusted explicitly.
        #expect {
            _ = try CurlStream(host: "localhost", port: server.port, tls: true)
        } throws: { error in
            (error as? CurlError)?.message.contains("certificate") == true
        }
        // Trusted through the CA file, and the host name checked: the certificate names localhost only.
        do {  // s_server serves one connection at a time: this one must close before the next
            let stream = try CurlStream(host: "localhost", port: server.port, tls: true, caFile: server.certificate)
            try Self.sendAll(stream, "hello\n")
            #expect(try Self.read(stream, until: "olleh").contains("olleh"))
        }
        #expect {
            _ = try CurlStream(host: "127.0.0.1", port: server.port, tls: true, caFile: server.certificate)
        } throws: { error in
            (error as? CurlError)?.message.contains("127.0.0.1") == true
        }
    }
}

/// `openssl s_server -rev` on 127.0.0.1 with a fresh self-signed certificate for `localhost`.
final class TLSEchoServer: @unchecked Sendable {
    let port: Int
    let certificate: String
    private let process = Process()
    private let directory: URL

    init(openssl: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: openssl)
        make.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                          "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
        make.standardError = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        guard make.terminationStatus == 0 else { throw TestAMIServer.ServerError("openssl req failed") }
        // A free port: bind to 0, note it, release it for s_server.
        let probe = try OneShotListener(ipv6: false, greeting: "")
        port = probe.port
        probe.closeNow()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-rev"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = Pipe()
        try process.run()
        // s_server prints ACCEPT once it listens.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("ACCEPT") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw TestAMIServer.ServerError("s_server did not start") }
            seen += chunk
        }
    }

    func stop() {
        // SIGKILL: s_server started from the test runner does not die on SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
