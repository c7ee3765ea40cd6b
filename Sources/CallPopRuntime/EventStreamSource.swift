public import CallPopCore
internal import CallPopPlatform
internal import Glibc

/// Reads NDJSON call events (`docs/events.md`) from a file, a FIFO or stdin.
///
/// A malformed line is reported with its line number and skipped; the source ends
/// at end of input. Reading blocks on a dedicated thread, never on Swift's pool.
public struct EventStreamSource: CallEventSource {
    /// The path, or `-` for standard input.
    public var path: String

    /// Creates a source reading `path` (`-` = stdin).
    public init(path: String) {
        self.path = path
    }

    /// `events:PATH`.
    public var name: String { "events:" + (path == "-" ? "stdin" : path) }

    /// Items handed from the reading thread to the async side.
    enum Item: Sendable {
        case opened
        case unopenable(String)
        case line(Int, [UInt8])
        case overlong(Int)
        case failed(String)
    }

    /// Reads until end of input.
    public func run(emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void) async throws {
        let (lines, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingOldest(4096))
        let path = self.path
        let started = DetachedThread.start {
            // Opening a FIFO blocks until a writer comes: on this thread, never on Swift's pool.
            let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                continuation.yield(.unopenable(String(cString: strerror(errno))))
                continuation.finish()
                return
            }
            continuation.yield(.opened)
            LineReader.read(fd: fd) { item in
                // A full buffer means the consumer fell far behind: back off rather than drop
                // an event (this only happens while thousands of lines are pending, never when idle).
                while case .dropped = continuation.yield(item) { usleep(1000) }
            }
            if path != "-" { close(fd) }
            continuation.finish()
        }
        guard started else { throw SourceError(message: "cannot start a thread to read '\(path)'") }
        for await item in lines {
            switch item {
            case .unopenable(let reason):
                throw SourceError(message: "cannot open event input '\(path)': \(reason)")
            case .opened:
                await report(SourceReport(.info, "reading call events from \(name)", connection: .connected))
            case .failed(let message):
                await report(SourceReport(.error, "\(name): \(message)"))
            case .overlong(let number):
                await report(SourceReport(.warning, "\(name):\(number): skipped: line longer than \(EventLineDecoder.maximumLineLength) bytes"))
            case .line(let number, let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do {
                    await emit(try EventLineDecoder.decode(bytes))
                } catch {
                    await report(SourceReport(.warning, "\(name):\(number): skipped: \(error.message)"))
                }
            }
        }
        await report(SourceReport(.info, "end of call events from \(name)", connection: .disconnected))
    }
}

/// A source that cannot go on.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for the user.
    public var message: String
    /// The message.
    public var description: String { message }

    /// Creates an error.
    public init(message: String) {
        self.message = message
    }
}

/// Splits a descriptor's bytes into lines, bounding each line so garbage cannot grow memory.
enum LineReader {
    static func read(fd: Int32, deliver: (EventStreamSource.Item) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var line: [UInt8] = []
        var number = 0
        var overlong = false
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                deliver(.failed("read error: \(String(cString: strerror(errno)))"))
                return
            }
            if n == 0 { break }
            for byte in buffer[0..<n] {
                if byte == 0x0A {
                    number += 1
                    deliver(overlong ? .overlong(number) : .line(number, line))
                    line.removeAll(keepingCapacity: line.count < 4096)
                    overlong = false
                } else if line.count <= EventLineDecoder.maximumLineLength {
                    line.append(byte)
                } else {
                    overlong = true
                }
            }
        }
        if !line.isEmpty { deliver(.line(number + 1, line)) }
    }
}
