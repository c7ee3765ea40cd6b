/// Splits a `text/event-stream` body into events, as the HTML standard's event-stream
/// interpretation does: lines end with CRLF, LF or CR; `data:` lines accumulate; a blank
/// line dispatches; `id:` sets the last event id (kept across events, for `Last-Event-ID`);
/// `retry:` sets the reconnection time; lines starting with `:` are comments (keep-alives).
///
/// Pure and bounded: a line longer than `maximumLineLength` is skipped (and counted), and an
/// event's data never grows past `maximumEventBytes`.
public struct ServerSentEventParser: Sendable {
    /// One dispatched event.
    public struct Event: Sendable, Hashable {
        /// The last event id at dispatch (the stream's position), if any was set.
        public var id: String?
        /// The `event:` type, `message` by default.
        public var type: String
        /// The `data:` lines, joined with line feeds.
        public var data: String

        /// Creates an event.
        public init(id: String?, type: String, data: String) {
            self.id = id
            self.type = type
            self.data = data
        }
    }

    /// The longest line read; longer ones are skipped.
    public static let maximumLineLength = 65_536 + 64
    /// The most data one event may hold.
    public static let maximumEventBytes = 1 << 20

    /// The id to send back as `Last-Event-ID` when reconnecting.
    public private(set) var lastEventID: String?
    /// The reconnection delay the server asked for, in milliseconds.
    public private(set) var retryMilliseconds: Int?
    /// Lines skipped for being too long.
    public private(set) var skippedLines = 0

    private var line: [UInt8] = []
    private var overlong = false
    private var afterCR = false
    private var atStart = true
    private var data: [UInt8] = []
    private var hasData = false
    private var type: String?

    /// A parser at the start of a stream.
    public init(lastEventID: String? = nil) {
        self.lastEventID = lastEventID
    }

    /// Feeds the next bytes; returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }  // the LF of a CRLF
            }
            switch byte {
            case 0x0D:
                afterCR = true
                endLine(into: &events)
            case 0x0A:
                endLine(into: &events)
            default:
                if line.count < Self.maximumLineLength { line.append(byte) } else { overlong = true }
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [Event]) {
        defer {
            line.removeAll(keepingCapacity: line.count <= 4096)
            overlong = false
        }
        if atStart {
            atStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }  // a byte-order mark
        }
        if overlong {
            skippedLines += 1
            return
        }
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line.first == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = colon.map { line[..<$0] } ?? line[...]
        var value = colon.map { line[($0 + 1)...] } ?? []
        if value.first == 0x20 { value = value.dropFirst() }
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            guard data.count + value.count + 1 <= Self.maximumEventBytes else { return }
            if hasData { data.append(0x0A) }
            data += value
            hasData = true
        case "event":
            type = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), value.count <= 9 {
                retryMilliseconds = Int(String(decoding: value, as: UTF8.self))
            }
        default:
            break  // unknown fields are ignored
        }
    }

    private mutating func dispatch(into events: inout [Event]) {
        defer {
            data.removeAll(keepingCapacity: data.count <= 4096)
            hasData = false
            type = nil
        }
        guard hasData else { return }
        events.append(Event(id: lastEventID, type: type ?? "message", data: String(decoding: data, as: UTF8.self)))
    }
}
