import CallPopConfig
import CallPopCore
import Logging
import Synchronization
import Testing

@testable import CallPopRuntime

/// Each observer is told only what it says it observes, and a call's on-click offers are
/// expanded only for observers that show them.
@Suite struct AgentObserverTests {
    /// Records what reaches it.
    final class Recorder: AgentObserver, Sendable {
        let observes: AgentObservations
        private let seen = Mutex<[String]>([])
        init(_ observes: AgentObservations) { self.observes = observes }

        var log: [String] { seen.withLock { $0 } }
        func callChanged(_ call: TrackedCall, offers: [Decision]) async {
            seen.withLock { $0.append("call \(call.event.state.rawValue) offers \(offers.map { $0.plan?.url ?? "-" })") }
        }
        func decided(_ decision: Decision) async {
            seen.withLock { $0.append("decided \(decision.ruleID) \(decision.verdict.rawValue)") }
        }
        func sourceReported(_ report: SourceReport) async {
            seen.withLock { $0.append("report \(report.message)") }
        }
    }

    static func agent() throws -> Agent {
        let configuration = try ConfigurationLoader(environment: [:]).load(text: """
            [user]
            number = "201"
            [pbx]
            source = "none"
            [[popup]]
            name = "CRM"
            trigger = "ringing"
            url = "https://crm.example.com/?n={CALLERNUM}"
            [[popup]]
            name = "Ticket"
            trigger = "on-click"
            url = "https://desk.example.com/?n={CALLERNUM}"
            """, name: "test.toml")
        return Agent(
            configuration: configuration, options: .init(dryRun: true, output: DecisionOutput(format: .json, toStandardOutput: false)),
            logger: Logger(label: "test"), environment: [:])
    }

    @Test func eachObserverHearsOnlyWhatItObserves() async throws {
        let agent = try Self.agent()
        let reports = Recorder(.reports), calls = Recorder(.calls), offers = Recorder(.callsWithOffers)
        let decisions = Recorder(.decisions), everything = Recorder([.callsWithOffers, .decisions, .reports])
        for observer in [reports, calls, offers, decisions, everything] { await agent.observe(observer) }

        await agent.handle(CallEvent(callID: "c1", state: .ringing, direction: .incoming, remoteNumber: "+442071234567"))
        await agent.sourceReported(SourceReport(.info, "connected"))

        let expanded = "call ringing offers [\"https://desk.example.com/?n=%2B442071234567\"]"
        #expect(reports.log == ["report connected"])
        // Without `.callsWithOffers` no offer is expanded for the observer: it gets none.
        #expect(calls.log == ["call ringing offers []"])
        #expect(offers.log == [expanded])
        #expect(decisions.log == ["decided ticket offer", "decided crm launch"])
        #expect(everything.log == ["decided ticket offer", "decided crm launch", expanded, "report connected"])
    }
}
