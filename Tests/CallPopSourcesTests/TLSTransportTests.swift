import CallPopAMI
import CallPopCore
import CallPopSIP
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing
import Glibc

/// The TLS transport against `openssl s_server` (a real TLS stack; it prints what it
/// receives): the SUBSCRIBE arrives over a verified connection, and an untrusted
/// certificate is refused.
@Suite(.serialized) struct TLSTransportTests {
    static let openssl = "/usr/bin/openssl"

    static func available() -> Bool {
        if FileManager.default.isExecutableFile(atPath: openssl) { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("TLS tests need \(openssl) (apt-get install openssl)")
        } else {
            print("skipping TLS test: \(openssl) missing")
        }
        return false
    }

    /// Runs a TLS server with a fresh self-signed certificate for "localhost"; returns
    /// what it received once `condition` holds on the source's reports (or after 10 s).
    static func exchange(trustTheCertificate: Bool) async throws -> (received: String, reports: [SourceReport]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-sip-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("key.pem").path
        let certificate = dir.appendingPathComponent("cert.pem").path
        let received = dir.appendingPathComponent("received.txt").path
        #expect(try await ChildProcess.run([
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
        ]) == 0)
        let port = TestProgram.freePort()
        // s_server drops the connection when its stdin ends: give it a pipe kept open.
        var stdinPipe: [Int32] = [0, 0]
        #expect(pipe(&stdinPipe) == 0)
        _ = fcntl(stdinPipe[1], F_SETFD, FD_CLOEXEC)
        defer { close(stdinPipe[1]) }
        let server = try ChildProcess.spawn(
            [openssl, "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-quiet"],
            output: received, input: stdinPipe[0])
        close(stdinPipe[0])
        // Start the client once the server listens (seen passively in /proc: a probe
        // connection would be a failed handshake in the server's output).
        let listening = String(format: "0100007F:%04X 00000000:0000 0A", port)
        for _ in 0..<100 {
            if ((try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? "").contains(listening) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let source = RunningSource(SIPSourceConfiguration(
            uri: SIPURI("sip:201@localhost")!, password: SIPSecret("201-secret"), transport: .tls,
            outboundProxy: SIPURI("sip:localhost:\(port)"), caFile: trustTheCertificate ? certificate : nil))
        for _ in 0..<100 {
            let text = (try? String(contentsOfFile: received, encoding: .utf8)) ?? ""
            let reports = await source.recorder.reports
            if text.contains("\r\n\r\n") || reports.contains(where: { $0.connection == .disconnected }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        await source.stop()
        kill(server, SIGTERM)
        _ = await ChildProcess.wait(server)
        return ((try? String(contentsOfFile: received, encoding: .utf8)) ?? "", await source.recorder.reports)
    }

    @Test func subscribesOverAVerifiedTLSConnection() async throws {
        guard Self.available() else { return }
        let (received, reports) = try await Self.exchange(trustTheCertificate: true)
        #expect(received.hasPrefix("SUBSCRIBE sip:201@localhost SIP/2.0\r\nVia: SIP/2.0/TLS "), "\(received) \(reports)")
        #expect(received.contains(";transport=tls>\r\n"))
        #expect(received.contains("Event: dialog\r\n"))
    }

    @Test func refusesAnUntrustedCertificate() async throws {
        guard Self.available() else { return }
        let (received, reports) = try await Self.exchange(trustTheCertificate: false)
        #expect(!received.contains("SUBSCRIBE"))
        let failure = reports.first { $0.connection == .disconnected }?.message ?? ""
        #expect(failure.hasPrefix("lost the connection to the SIP server ("), "\(reports)")
        #expect(failure.contains("certificate"), "\(failure)")
    }
}
