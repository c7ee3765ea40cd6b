import CallPopCore
import CallPopSIP
import CallPopTestSupport
import Foundation
import Testing

extension KamailioLabTests {
    /// Issue #10, finding 8: over UDP anyone can send the agent datagrams. Only the SIP
    /// server is heard: a well-formed NOTIFY from another host (127.0.0.2 here) gets no
    /// answer and no event, and a flood of garbage costs a few warnings, not one per datagram.
    @Test func datagramsFromStrangersAreDroppedAndTheirWarningsLimited() async throws {
        guard KamailioLab.available() else { return }
        try await KamailioLab.withLab {
            let (relay, source, ids) = try await Self.subscribeThroughRelay()
            let port = try #require(ids.contact.port)
            let stranger = try StrangerSocket(host: "127.0.0.2")
            let valid = """
                <?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="960" state="full" entity="sip:201@127.0.0.1">
                <dialog id="forged" call-id="forged-2" direction="recipient"><state>early</state><remote><identity>sip:+3399999999@127.0.0.1</identity></remote></dialog></dialog-info>
                """
            stranger.send(Self.forgedNotify(ids, cseq: 2000, body: Array(valid.utf8)).serialized(), toPort: port)
            #expect(stranger.answer(within: 1500) == nil, "a stranger's NOTIFY was answered")
            var generator = SplitMix64(seed: 8)
            for _ in 0..<3000 {
                stranger.send((0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }, toPort: port)
            }
            try await Task.sleep(for: .seconds(1))
            await source.stop()
            await relay.stop()
            #expect(await source.recorder.events.isEmpty)
            let warnings = await source.recorder.reports.filter { $0.level == .warning }.map(\.message)
            #expect(warnings.count == 5, "\(warnings.count) warnings: \(warnings.prefix(8))")
            #expect(warnings.allSatisfy { $0.hasPrefix("ignored a datagram from 127.0.0.2:") && $0.contains("not the SIP server") }, "\(warnings.prefix(8))")
            #expect(warnings.last?.hasSuffix("further warnings from here are counted and summed up within 60 s") == true)
        }
    }
}

/// A UDP socket bound to another loopback address than the lab's 127.0.0.1.
final class StrangerSocket: Sendable {
    let fd: Int32

    init(host: String) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = Self.address(host, port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw LabError("cannot bind a UDP socket to \(host)") }
    }

    deinit { close(fd) }

    static func address(_ host: String, port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = port.bigEndian
        return address
    }

    func send(_ bytes: [UInt8], toPort port: UInt16) {
        var address = Self.address("127.0.0.1", port: port)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// The first line of a datagram that arrives within `milliseconds`, if any.
    func answer(within milliseconds: Int32) -> String? {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self).components(separatedBy: "\r\n").first
    }
}
