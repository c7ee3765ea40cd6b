public import CallPopCore
internal import CallPopPlatform
internal import Glibc

/// Reads NDJSON call events (`docs/events.md`) from a file, a FIFO or stdin.
///
/// A malformed line is reported with its line number and skipped. Reading and decoding
/// happen on the source's I/O thread, which waits in `Poller` (a FIFO is opened without
/// waiting for its writer), so cancelling is prompt and a writer that floods is held back
/// by the pipe once the bridge is full.
///
/// `--events` input ends at its end. The source configured in `[pbx]` (`live`) never ends
/// by itself: a FIFO is opened again when its writer closes it, so the next writer is
/// heard; a regular file is read once and then reported as a source that gave out.
public struct EventStreamSource: CallEventSource {
    /// The path, or `-` for standard input.
    public var path: String
    /// The configured event source of the agent, which must not stop at a writer's end.
    public var live: Bool

    /// Creates a source reading `path` (`-` = stdin); `live` for the configured one.
    public init(path: String, live: Bool = false) {
        self.path = path
        self.live = live
    }

    /// `events:PATH`.
    public var name: String { "events:" + (path == "-" ? "stdin" : path) }

    /// Reads until end of input (or, `live`, until cancelled); throws `SourceError` when
    /// the input cannot be opened.
    public func run(emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void) async throws {
        let path = self.path
        let name = self.name
        let live = self.live
        try await runSourceLoop(name: name, emit: emit, report: report) { link in
            var fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else {
                return SourceError(.unreadableInput, "cannot open event input '\(path)': \(String(cString: strerror(errno)))")
            }
            defer { if fd > 0 { close(fd) } }
            let reopens = live && path != "-" && Self.isFIFO(fd)
            var reader = EventLineReader(name: name)
            var pending: [SourceOutput] = [.report(SourceReport(.info, "reading call events from \(name)", connection: .connected))]
            var buffer = [UInt8](repeating: 0, count: 65536)
            var writersSeen = 0
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
                if count == 0 {
                    guard reopens else { break }
                    // The writer closed the FIFO: what it left unfinished is its last line. A
                    // fresh descriptor waits for the next writer without waking (the kernel
                    // reports no hang-up to a reader that has not seen a writer yet).
                    reader.finish(into: &pending)
                    writersSeen += 1
                    let again = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
                    guard again >= 0 else {
                        pending.append(.report(SourceReport(
                            .error, "cannot open \(name) again after its writer closed it: \(String(cString: strerror(errno)))",
                            connection: .failed)))
                        break
                    }
                    close(fd)
                    fd = again
                    if writersSeen == 1 {
                        pending.append(.report(SourceReport(.info, "the writer of \(name) closed it; waiting for the next one")))
                    }
                    continue
                }
                reader.consume(buffer[..<count], into: &pending)
            }
            reader.finish(into: &pending)
            if live && !link.stopRequested {
                // The configured source gave out (a regular file at its end, a read error):
                // say so and stay, so the agent keeps running and tells the user.
                let why = reopens ? "\(name) cannot be read any more" : "\(name) is a regular file and was read to its end"
                pending.append(.report(SourceReport(
                    .error, "\(why): no more calls arrive; make [pbx] path a FIFO (mkfifo) that the event writer opens",
                    connection: .failed)))
                while !link.stopRequested, !link.bridge.isClosed {
                    _ = link.deliver(&pending)
                    _ = Poller.wait([], wake: link.wake, until: nil)
                }
                return nil
            }
            pending.append(.report(SourceReport(.info, "end of call events from \(name)", connection: .disconnected)))
            while !link.stopRequested, !link.deliver(&pending), !link.bridge.isClosed {
                _ = Poller.wait([], wake: link.wake, until: nil)
            }
            return nil
        }
    }

    private static func isFIFO(_ fd: Int32) -> Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO
    }
}

/// Splits bytes into lines and decodes each as an event, bounding each line so garbage
/// cannot grow memory; a bad line becomes a warning with its number, through a
/// `WarningLimiter` (a stream of garbage is a few warnings and a count, not a log line each).
struct EventLineReader {
    let name: String
    private var line: [UInt8] = []
    private var number = 0
    private var overlong = false
    /// One source: this stream.
    private var warnings = WarningLimiter<Int>()

    init(name: String) { self.name = name }

    mutating func consume(_ bytes: ArraySlice<UInt8>, into outputs: inout [SourceOutput]) {
        summarizeSuppressed(into: &outputs, at: .now)
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
        if !line.isEmpty || overlong {
            number += 1
            endLine(into: &outputs)
        }
        // Whatever was counted is said now: the stream ended, nothing will end its window.
        summarizeSuppressed(into: &outputs, at: .now + warnings.window)
    }

    private mutating func summarizeSuppressed(into outputs: inout [SourceOutput], at now: ContinuousClock.Instant) {
        for ended in warnings.endedWindows(at: now) {
            outputs.append(.report(SourceReport(.warning, warnings.summary(ended, name: name))))
        }
    }

    private mutating func warn(_ message: String, into outputs: inout [SourceOutput]) {
        switch warnings.admit(0, at: .now) {
        case .report: outputs.append(.report(SourceReport(.warning, message)))
        case .lastBeforeQuiet: outputs.append(.report(SourceReport(.warning, message + warnings.quietNotice)))
        case .suppress: break
        }
    }

    private mutating func endLine(into outputs: inout [SourceOutput]) {
        defer {
            line.removeAll(keepingCapacity: line.count < 4096)
            overlong = false
        }
        if overlong {
            warn("\(name):\(number): skipped: line longer than \(EventLineDecoder.maximumLineLength) bytes", into: &outputs)
            return
        }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        do {
            outputs.append(.event(try EventLineDecoder.decode(line)))
        } catch {
            warn("\(name):\(number): skipped: \(error.message)", into: &outputs)
        }
    }
}
