import CallPopCore
import CallPopSIP
import Testing

/// Issue #10, finding 7: no URI reaches a log line with a password in it, whatever the
/// configuration let through.
@Suite("URIs in log lines")
struct URIRedactionTests {
    @Test func aPasswordInAWatchedURIIsNotLogged() throws {
        let watched = try #require(SIPURI("sip:202:hunter2@127.0.0.1"))
        let account = try #require(SIPURI("sip:201@127.0.0.1"))
        var machine = SubscriptionStateMachine(
            settings: .init(watched: watched, account: account, username: "201", password: SIPSecret("201-secret")), seed: 1)
        let actions = machine.start(local: LocalEndpoint(host: "127.0.0.1", port: 5181, transport: .udp), now: .now)
        let reports = actions.compactMap { if case .report(let report) = $0 { report.message } else { nil } }
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { !$0.contains("hunter2") }, "\(reports)")
        #expect(reports.contains { $0.contains("sip:202@127.0.0.1") }, "\(reports)")
    }
}
