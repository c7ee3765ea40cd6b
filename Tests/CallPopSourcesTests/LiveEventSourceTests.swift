import CallPopCore
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing

/// The event source configured in `[pbx]` never stops by itself: a FIFO is opened again
/// after each writer, a regular file that ends is reported as a source that gave out.
@Suite("Live event source", .timeLimit(.minutes(1)))
struct LiveEventSourceTests {
    static func line(_ call: String) -> String {
        #"{"call":"\#(call)","state":"ringing","direction":"incoming","number":"+44207\#(call.count)"}"# + "\n"
    }

    /// Opens the FIFO for writing once its reader is there, writes `text`, closes.
    static func write(_ text: String, to fifo: String) async throws -> Bool {
        try await offPool {
            var fd: Int32 = -1
            for _ in 0..<500 {
                fd = open(fifo, O_WRONLY | O_NONBLOCK)
                if fd >= 0 || errno != ENXIO { break }
                usleep(10_000)
            }
            guard fd >= 0 else { return false }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
        }
    }

    /// A scratch directory holding a FIFO.
    static func fifo() throws -> (URL, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fifo = directory.appendingPathComponent("events.fifo").path
        guard mkfifo(fifo, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return (directory, fifo)
    }

    @Test func threeWritersOneAfterTheOtherAreAllHeard() async throws {
        let (directory, fifo) = try Self.fifo()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorder = SourceRecorder()
        let source = Task {
            try await EventStreamSource(path: fifo, live: true).run(
                emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        }
        // Each writer's last line has no newline: it still counts when the writer closes.
        for (index, calls) in [["a1", "a2"], ["b1"], ["c1", "c2", "c3"]].enumerated() {
            let text = calls.map(Self.line).joined().dropLast()
            #expect(try await Self.write(String(text), to: fifo))
            let expected = [2, 3, 6][index]
            #expect(await recorder.wait(seconds: 10) { events, _ in events.count >= expected }, "writer \(index + 1)")
        }
        // Still there, waiting for a fourth writer.
        try await Task.sleep(for: .milliseconds(300))
        #expect(await recorder.reports.allSatisfy { $0.connection != .disconnected && $0.connection != .failed })
        source.cancel()
        _ = try? await source.value
        #expect(await recorder.events.map(\.callID) == ["a1", "a2", "b1", "c1", "c2", "c3"])
        let reports = await recorder.reports
        #expect(!reports.contains { $0.level == .error }, "\(reports)")
        #expect(reports.filter { $0.message.contains("waiting for the next one") }.count == 1)
    }

    @Test func aConfiguredRegularFileThatEndsIsReportedAndTheSourceStays() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-live-\(UUID().uuidString).ndjson")
        try Self.line("x1").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let recorder = SourceRecorder()
        let source = Task {
            try await EventStreamSource(path: file.path, live: true).run(
                emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        }
        #expect(await recorder.wait(seconds: 10) { events, reports in
            events.count == 1 && reports.contains { $0.connection == .failed }
        })
        let failure = await recorder.reports.first { $0.connection == .failed }
        #expect(failure?.message.contains("is a regular file and was read to its end") == true)
        #expect(failure?.message.contains("mkfifo") == true)
        try await Task.sleep(for: .milliseconds(200))
        source.cancel()
        _ = try? await source.value
    }

    /// `--events` input still ends with its writer, as documented.
    @Test func commandLineEventsEndWithTheirWriter() async throws {
        let (directory, fifo) = try Self.fifo()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorder = SourceRecorder()
        let source = Task {
            try await EventStreamSource(path: fifo).run(emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        }
        #expect(try await Self.write(Self.line("d1"), to: fifo))
        try await source.value
        #expect(await recorder.events.map(\.callID) == ["d1"])
    }
}

