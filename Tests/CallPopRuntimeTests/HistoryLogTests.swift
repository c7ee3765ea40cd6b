import CallPopCore
import CallPopRuntime
import CallPopTestSupport
import Foundation
import Testing

/// The journal on disk: private, rotated, within its bound, written off the event path.
@Suite("History log", .timeLimit(.minutes(1)))
struct HistoryLogTests {
    static func scratch() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-history-\(UUID().uuidString)")
        return url.path + "/state/callpop"
    }

    /// Writes `count` calls the way the agent does: ringing (with a popup), answered or missed, ended.
    static func write(_ count: Int, to log: HistoryLog) {
        for n in 0..<count {
            let id = "1733000000.\(n)"
            let ms = Int64(1_733_000_000_000 + n * 60_000)
            let event = CallEvent(callID: id, state: .ringing, direction: .incoming, remoteNumber: "+4420712\(10000 + n)",
                                  remoteName: "Caller number \(n)", calledNumber: "5550100")
            var call = TrackedCall.forTests(event)
            log.append(CallHistory.line(for: Decision(callID: id, ruleID: "crm", ruleName: "CRM", trigger: .ringing,
                                                      direction: .incoming, verdict: .launch, action: .url), ms: ms, time: "t")!)
            log.append(CallHistory.line(for: call, ms: ms, time: "t"))
            if n % 3 != 0 {
                call.event.state = .answered
                call.wasAnswered = true
                log.append(CallHistory.line(for: call, ms: ms + 5_000, time: "t"))
            }
            call.event.state = .ended
            log.append(CallHistory.line(for: call, ms: ms + 40_000, time: "t"))
        }
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test("1,000 calls stay within the bound, the newest kept", arguments: [64 * 1024, 4 * 1024 * 1024])
    func thousandCallsStayWithinTheBound(_ limit: Int) async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let log = try HistoryLog(directory: directory, limit: limit)
        #expect(log.start())
        Self.write(1000, to: log)
        await log.stop()
        let current = directory + "/" + HistoryLog.currentName
        let previous = directory + "/" + HistoryLog.previousName
        let total = Self.size(current) + Self.size(previous)
        #expect(total <= limit, "\(total) bytes on disk for a limit of \(limit)")
        #expect(Self.size(current) <= limit / 2)
        let calls = HistoryLog.calls(in: directory)
        #expect(calls.last?.id == "1733000000.999")
        #expect(calls.last?.result == .missed)
        #expect(calls.last?.opened == ["crm"])
        if limit == 4 * 1024 * 1024 {
            #expect(calls.count == 1000, "the default bound holds a thousand calls")
        } else {
            #expect(calls.count < 1000 && calls.count > 20, "\(calls.count) calls kept")
            // Whole calls: the oldest kept call has its first line (the older file starts at a line).
            #expect(calls.first?.number.hasPrefix("+4420712") == true)
        }
        // Private to the user.
        let attributes = try FileManager.default.attributesOfItem(atPath: current)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directoryMode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)
    }

    /// Appending never waits for the disk: 10,000 lines are queued in well under a second even
    /// while the writer thread is busy, and a full queue drops (and counts) instead of growing.
    @Test func appendingDoesNotWaitForTheDisk() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let log = try HistoryLog(directory: directory, limit: 1 << 20)
        #expect(log.start())
        let started = ContinuousClock.now
        Self.write(2500, to: log)
        #expect(ContinuousClock.now - started < .seconds(1))
        await log.flush()
        await log.stop()
        #expect(HistoryLog.calls(in: directory).count > 100)
        #expect(log.failure == nil)
    }

    @Test func anUnwritableDirectoryIsReportedNotFatal() async throws {
        let log = try HistoryLog(directory: "/proc/callpop-cannot-be-here", limit: 1 << 20)
        #expect(log.start())
        log.append("{}")
        await log.flush()
        await log.stop()
        #expect(log.failure?.hasPrefix("cannot") == true, "\(log.failure ?? "no failure")")
        #expect(HistoryLog.calls(in: "/nonexistent-callpop").isEmpty)
    }
}

extension TrackedCall {
    /// A call as the tracker holds it after its first event.
    static func forTests(_ event: CallEvent) -> TrackedCall {
        var engine = DecisionEngine(ruleSet: RuleSet(user: UserIdentity(number: "201"), rules: []))
        return engine.handle(event, at: .now).call!
    }
}
