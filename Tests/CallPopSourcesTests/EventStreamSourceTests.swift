import CallPopCore
import CallPopSources
import CallPopTestSupport
import Foundation
import Synchronization
import Testing

/// The NDJSON source on its I/O thread: order, bad lines, and backpressure on a FIFO.
@Suite struct EventStreamSourceTests {
    static func line(_ n: Int) -> String {
        #"{"call":"c\#(n)","state":"ringing","direction":"incoming","number":"+4420\#(n)"}"# + "\n"
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func everyLineArrivesInOrderAndBadLinesAreReportedWithTheirNumber() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("events.ndjson")
        var text = (1...5000).map(Self.line).joined()
        text += "not json\n\n" + Self.line(5001)
        try text.write(to: file, atomically: true, encoding: .utf8)
        let recorder = SourceRecorder()
        try await EventStreamSource(path: file.path).run(
            emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        let ids = await recorder.events.map(\.callID)
        #expect(ids == (1...5001).map { "c\($0)" })
        let warnings = await recorder.reports.filter { $0.level == .warning }.map(\.message)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("events:\(file.path):5001: skipped:") == true, "\(warnings)")
    }

    /// A stream of garbage is five warnings and one count, not a log line for each bad line;
    /// the good lines among it all arrive.
    @Test func badLinesAreWarnedAboutFiveTimesThenCounted() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("events.ndjson")
        let text = (1...1000).map { "garbage \($0)\n" + Self.line($0) }.joined()
        try text.write(to: file, atomically: true, encoding: .utf8)
        let recorder = SourceRecorder()
        try await EventStreamSource(path: file.path).run(
            emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        #expect(await recorder.events.count == 1000)
        let warnings = await recorder.reports.filter { $0.level == .warning }.map(\.message)
        #expect(warnings.count == 6, "\(warnings)")
        #expect(warnings.prefix(5).map { $0.hasPrefix("events:\(file.path):") } == Array(repeating: true, count: 5))
        #expect(warnings.dropFirst(4).first?.hasSuffix("further warnings from here are counted and summed up within 60 s") == true)
        #expect(warnings.last == "995 more warnings from events:\(file.path) suppressed in the last 60 s")
    }

    /// Issue #10, finding 10: a line with a duplicated key is skipped with its number.
    @Test func aDuplicatedKeyIsReportedWithItsLineNumber() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("events.ndjson")
        let forged = #"{"call":"c2","state":"ringing","direction":"incoming","name":"Bob","name":"Eve"}"# + "\n"
        try (Self.line(1) + forged + Self.line(3)).write(to: file, atomically: true, encoding: .utf8)
        let recorder = SourceRecorder()
        try await EventStreamSource(path: file.path).run(
            emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        #expect(await recorder.events.map(\.callID) == ["c1", "c3"])
        let warnings = await recorder.reports.filter { $0.level == .warning }.map(\.message)
        #expect(warnings == ["events:\(file.path):2: skipped: duplicate key \"name\""])
    }

    /// A writer that floods a FIFO is held back by the pipe while the agent is busy: its
    /// non-blocking writes start to fail with EAGAIN, and nothing it wrote is lost.
    @Test func aFloodingFIFOWriterIsHeldBackNotBuffered() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("events.fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let gate = Mutex(true)  // while set, the consumer is "busy" and takes one event per 100 ms
        let received = Mutex(0)
        let source = Task {
            try await EventStreamSource(path: fifo.path).run(
                emit: { _ in
                    received.withLock { $0 += 1 }
                    if gate.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(100)) }
                },
                report: { _ in })
        }
        let total = 20_000
        let (blocked, written) = try await offPool { () -> (Bool, Int) in
            // A non-blocking open for writing fails (ENXIO) until the source has opened its end.
            var fd: Int32 = -1
            for _ in 0..<500 {
                fd = open(fifo.path, O_WRONLY | O_NONBLOCK)
                if fd >= 0 || errno != ENXIO { break }
                usleep(10_000)
            }
            guard fd >= 0 else { return (false, 0) }
            defer { close(fd) }
            var blocked = false
            var written = 0
            for n in 1...total {
                let bytes = Array(Self.line(n).utf8)
                var offset = 0
                while offset < bytes.count {
                    let count = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if count > 0 { offset += count; continue }
                    if errno == EAGAIN {
                        if !blocked { blocked = true; gate.withLock { $0 = false } }
                        usleep(1000)
                        continue
                    }
                    return (blocked, written)
                }
                written += 1
            }
            return (blocked, written)
        }
        if written < total { source.cancel() }
        try await source.value
        #expect(blocked, "the pipe never filled: the source buffered everything")
        #expect(written == total)
        #expect(received.withLock { $0 } == total)
    }
}
