public import CallPopCore
internal import CallPopPlatform
internal import Glibc

/// Reads NDJSON call events (`docs/events.md`) from a file, a FIFO or stdin.
///
/// A malformed line is reported with its line number and skipped; the source ends at end
/// of input. Reading and decoding happen on the source's I/O thread, which waits in
/// `Poller` (a FIFO is opened without waiting for its writer), so cancelling is prompt
/// and a writer that floods is held back by the pipe once the bridge is full.
public struct EventStreamSource: CallEventSource {
    /// The path, or `-` for standard input.
    public var path: String

    /// Creates a source reading `path` (`-` = stdin).
    public init(path: String) {
        self.path = path
    }

    /// `events:PATH`.
    public var name: String { "events:" + (path == "-" ? "stdin" : path) }

    /// Reads until end of input; throws `SourceError` when the input cannot be opened.
    public func run(emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void) async throws {
        let path = self.path
        let name = self.name
        try await runSourceLoop(name: name, emit: emit, report: report) { link in
            let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else {
                return SourceError(.unreadableInput, "cannot open event input '\(path)': \(String(cString: strerror(errno)))")
            }
            defer { if path != "-" { close(fd) } }
            var reader = EventLineReader(name: name)
            var pending: [SourceOutput] = [.report(SourceReport(.info, "reading call events from \(name)", connection: .connected))]
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !link.stopRequested {
                guard link.deliver(&pending) else {
                    _ = Poller.wait([], wake: link.wake, until: nil)
                    continue
                }
                guard Poller.wait([(fd, .readable)], wake: link.wake, until: nil).ready[0].contains(.readable) else { continue }
                let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    pending.append(.report(SourceReport(.error, "\(name): read error: \(String(cString: strerror(errno)))")))
                    break
                }
                if count == 0 { break }
                reader.consume(buffer[..<count], into: &pending)
            }
            reader.finish(into: &pending)
            pending.append(.report(SourceReport(.info, "end of call events from \(name)", connection: .disconnected)))
            while !link.stopRequested, !link.deliver(&pending), !link.bridge.isClosed {
                _ = Poller.wait([], wake: link.wake, until: nil)
            }
            return nil
        }
    }
}

/// Splits bytes into lines and decodes each as an event, bounding each line so garbage
/// cannot grow memory; a bad line becomes a warning with its number.
struct EventLineReader {
    let name: String
    private var line: [UInt8] = []
    private var number = 0
    private var overlong = false

    init(name: String) { self.name = name }

    mutating func consume(_ bytes: ArraySlice<UInt8>, into outputs: inout [SourceOutput]) {
        for byte in bytes {
            if byte == 0x0A {
                number += 1
                endLine(into: &outputs)
            } else if line.count <= EventLineDecoder.maximumLineLength {
                line.append(byte)
            } else {
                overlong = true
            }
        }
    }

    /// The last line, when the input does not end with a newline.
    mutating func finish(into outputs: inout [SourceOutput]) {
        guard !line.isEmpty || overlong else { return }
        number += 1
        endLine(into: &outputs)
    }

    private mutating func endLine(into outputs: inout [SourceOutput]) {
        defer {
            line.removeAll(keepingCapacity: line.count < 4096)
            overlong = false
        }
        if overlong {
            outputs.append(.report(SourceReport(.warning, "\(name):\(number): skipped: line longer than \(EventLineDecoder.maximumLineLength) bytes")))
            return
        }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        do {
            outputs.append(.event(try EventLineDecoder.decode(line)))
        } catch {
            outputs.append(.report(SourceReport(.warning, "\(name):\(number): skipped: \(error.message)")))
        }
    }
}
