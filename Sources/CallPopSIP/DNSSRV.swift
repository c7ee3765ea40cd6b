/// One DNS SRV record (RFC 2782).
public struct DNSSRVRecord: Sendable, Hashable {
    /// Lower is tried first.
    public var priority: UInt16
    /// Share among records of the same priority.
    public var weight: UInt16
    /// The port to use.
    public var port: UInt16
    /// The host name, without the trailing dot; `.` means "service not offered".
    public var target: String

    /// Creates a record.
    public init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

/// Reads SRV answers out of a DNS response (RFC 1035 4.1) from untrusted bytes.
public enum DNSSRVParser {
    /// The SRV records of `response`, ordered by priority, then heavier weight first
    /// (deterministic instead of RFC 2782's weighted random pick: one client, few servers).
    /// Malformed responses yield no records.
    public static func records(in response: [UInt8]) -> [DNSSRVRecord] {
        guard response.count >= 12 else { return [] }
        let questions = Int(readUInt16(response, 4) ?? 0)
        let answers = Int(readUInt16(response, 6) ?? 0)
        var offset = 12
        for _ in 0..<questions {
            guard let end = skipName(response, offset), end + 4 <= response.count else { return [] }
            offset = end + 4
        }
        var records: [DNSSRVRecord] = []
        for _ in 0..<min(answers, 256) {
            guard let nameEnd = skipName(response, offset), nameEnd + 10 <= response.count,
                  let type = readUInt16(response, nameEnd), let length = readUInt16(response, nameEnd + 8) else { return records }
            let dataStart = nameEnd + 10
            guard dataStart + Int(length) <= response.count else { return records }
            if type == 33, length >= 7,
               let priority = readUInt16(response, dataStart), let weight = readUInt16(response, dataStart + 2),
               let port = readUInt16(response, dataStart + 4), let target = readName(response, dataStart + 6) {
                records.append(DNSSRVRecord(priority: priority, weight: weight, port: port, target: target))
            }
            offset = dataStart + Int(length)
        }
        return records.filter { $0.target != "." && !$0.target.isEmpty }
            .sorted { ($0.priority, UInt16.max - $0.weight) < ($1.priority, UInt16.max - $1.weight) }
    }

    private static func readUInt16(_ bytes: [UInt8], _ offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    /// The offset after the (possibly compressed) name at `offset`.
    private static func skipName(_ bytes: [UInt8], _ offset: Int) -> Int? {
        var index = offset
        while index < bytes.count {
            let length = bytes[index]
            if length == 0 { return index + 1 }
            if length & 0xC0 == 0xC0 { return index + 2 <= bytes.count ? index + 2 : nil }
            guard length & 0xC0 == 0 else { return nil }
            index += 1 + Int(length)
        }
        return nil
    }

    /// Decodes a name, following compression pointers (at most 32, so loops end).
    private static func readName(_ bytes: [UInt8], _ offset: Int) -> String? {
        var labels: [String] = []
        var index = offset
        var jumps = 0
        while index < bytes.count {
            let length = bytes[index]
            if length == 0 { return labels.isEmpty ? "." : labels.joined(separator: ".") }
            if length & 0xC0 == 0xC0 {
                guard index + 1 < bytes.count, jumps < 32 else { return nil }
                jumps += 1
                index = Int(length & 0x3F) << 8 | Int(bytes[index + 1])
                continue
            }
            guard length & 0xC0 == 0, index + 1 + Int(length) <= bytes.count, labels.count < 128 else { return nil }
            let label = bytes[(index + 1)..<(index + 1 + Int(length))]
            // Host names only: letters, digits, hyphen, underscore.
            guard label.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 }) else { return nil }
            labels.append(String(decoding: label, as: UTF8.self))
            index += 1 + Int(length)
        }
        return nil
    }
}

/// RFC 3263 server location, without NAPTR: where to send requests for a next-hop URI.
public enum SIPServerLocator {
    /// The SRV name to query for `host`, or `nil` when RFC 3263 says not to (an IP
    /// literal or an explicit port).
    public static func srvName(host: String, port: UInt16?, transport: SIPTransport) -> String? {
        guard port == nil, !isIPLiteral(host) else { return nil }
        let service = switch transport {
        case .udp: "_sip._udp."
        case .tcp: "_sip._tcp."
        case .tls: "_sips._tcp."
        }
        return service + host
    }

    /// The (host, port) candidates in order: the SRV targets, else the host itself.
    public static func candidates(host: String, port: UInt16?, transport: SIPTransport, srv: [DNSSRVRecord]) -> [(host: String, port: UInt16)] {
        if !srv.isEmpty { return srv.map { ($0.target, $0.port) } }
        return [(host, port ?? (transport == .tls ? 5061 : 5060))]
    }

    public static func isIPLiteral(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0 == "." || $0.isNumber })
    }
}
