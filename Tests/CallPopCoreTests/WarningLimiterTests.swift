import CallPopCore
import Testing

/// The one limiter of warnings about hostile peers (issue #10, finding 8).
@Suite struct WarningLimiterTests {
    @Test func aFewPerSourceAndWindowThenACount() {
        var limiter = WarningLimiter<String>(burst: 3, window: .seconds(10))
        let verdicts = (0..<1000).map { _ in limiter.admit("a", at: at(0)) }
        #expect(Array(verdicts.prefix(4)) == [.report, .report, .lastBeforeQuiet, .suppress])
        #expect(verdicts.filter { $0 != .suppress }.count == 3)
        // Another source has its own budget.
        #expect(limiter.admit("b", at: at(1)) == .report)
        #expect(limiter.nextSummary == at(10))
        #expect(limiter.endedWindows(at: at(9)).isEmpty)
        let ended = limiter.endedWindows(at: at(10))
        #expect(ended == [.init(source: "a", count: 997)])
        #expect(limiter.summary(ended[0], name: "a") == "997 more warnings from a suppressed in the last 10 s")
        #expect(limiter.admit("a", at: at(10)) == .report)
    }

    @Test func spoofedSourcesCannotGrowMemory() {
        var limiter = WarningLimiter<Int>(burst: 1, window: .seconds(60), maximumSources: 4)
        for source in 0..<100_000 { _ = limiter.admit(source, at: at(0)) }
        let ended = limiter.endedWindows(at: at(60))
        // Four tracked sources, then one shared entry that counted the rest.
        #expect(ended.count == 1)
        #expect(ended.first?.source == nil)
        #expect(ended.first?.count == 100_000 - 4 - 1)
    }
}
