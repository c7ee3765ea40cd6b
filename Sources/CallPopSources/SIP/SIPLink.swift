import CallPopCurl
import CallPopPlatform

/// The open transport to the SIP server: a UDP socket, a TCP connection, or a TLS
/// stream. TLS goes through libcurl in connect-only mode (`CurlStream`): certificate
/// and host-name verification come from a well-kept library instead of an OpenSSL
/// wrapper of our own; the bytes still move under our `poll`.
enum SIPLink {
    case datagram(Socket)
    case stream(Socket)
    case tls(CurlStream)

    /// The descriptor to poll.
    var fd: Int32 {
        switch self {
        case .datagram(let socket), .stream(let socket): socket.fd
        case .tls(let stream): stream.socket
        }
    }

    /// Writes a whole message on a connection; false when the connection failed.
    func write(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .datagram: return false
        case .stream(let socket): return socket.write(bytes)
        case .tls(let stream):
            var offset = 0
            while offset < bytes.count {
                guard let sent = try? stream.send(bytes[offset...]) else { return false }
                if sent == 0, Poller.wait([(stream.socket, .writable)], wake: nil, until: .now + .seconds(5)).ready[0].isEmpty {
                    return false
                }
                offset += sent
            }
            return true
        }
    }

    /// Reads what a connection has now (TLS may hold decrypted bytes: call until `.wouldBlock`).
    func read() -> StreamRead {
        switch self {
        case .datagram: return .wouldBlock
        case .stream(let socket): return socket.read()
        case .tls(let stream):
            var buffer = [UInt8](repeating: 0, count: 65536)
            do {
                switch try stream.read(into: &buffer) {
                case .bytes(let count): return .bytes(Array(buffer.prefix(count)))
                case .wouldBlock: return .wouldBlock
                case .closed: return .closed("connection closed by the server")
                }
            } catch {
                return .closed("\(error)")
            }
        }
    }
}
