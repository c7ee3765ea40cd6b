import CallPopCore
import Testing

/// When the user hears that popups stopped: once per problem, after a grace period for a
/// lost connection, at once for a refused login; and once when it is over.
@Suite("Health state machine")
struct HealthStateMachineTests {
    static func report(_ state: SourceReport.ConnectionState, _ message: String = "") -> SourceReport {
        SourceReport(state == .failed ? .error : .info, message, connection: state)
    }

    /// The notices among `actions`, as "topic severity: summary".
    static func shown(_ actions: [HealthStateMachine.Action]) -> [String] {
        actions.compactMap {
            if case .show(let notice) = $0 { "\(notice.topic.rawValue) \(notice.severity.rawValue): \(notice.summary)" } else { nil }
        }
    }

    @Test func readyOnceTheSessionIsUpAndNothingShownForAShortBlip() {
        var machine = HealthStateMachine(sourceName: "ami", grace: .seconds(30), now: at(0))
        #expect(machine.nextDeadline == at(30))
        var actions = machine.sourceReported(Self.report(.connecting, "connecting to AMI at ami://pbx:5038"), at: at(0))
        #expect(!actions.contains(.ready))
        actions = machine.sourceReported(Self.report(.connected, "logged in"), at: at(1))
        #expect(actions == [.status("following calls on ami"), .ready])
        #expect(machine.nextDeadline == nil, "idle: no timer while connected")
        // A PBX restart: down for 10 s, then back. Nobody is bothered, and ready is not repeated.
        actions = machine.sourceReported(Self.report(.disconnected, "the PBX ended the AMI session; reconnecting in 1.1 s"), at: at(100))
        #expect(machine.nextDeadline == at(130))
        actions += machine.deadlinePassed(at: at(105))
        actions += machine.sourceReported(Self.report(.connected, "logged in"), at: at(110))
        #expect(Self.shown(actions).isEmpty)
        #expect(!actions.contains(.ready))
    }

    @Test func aLongOutageIsShownOnceNotPerRetryAndItsEndOnce() {
        var machine = HealthStateMachine(sourceName: "ami", grace: .seconds(30), now: at(0))
        var actions = machine.sourceReported(Self.report(.connected, "logged in"), at: at(0))
        // Twenty failed reconnects over two minutes.
        for attempt in 0..<20 {
            let t = Double(10 + attempt * 6)
            actions += machine.sourceReported(Self.report(.connecting, "connecting to AMI at ami://pbx:5038"), at: at(t))
            actions += machine.sourceReported(
                Self.report(.disconnected, "cannot connect to AMI at ami://pbx:5038: Connection refused; reconnecting in 4.2 s"), at: at(t + 1))
            if let due = machine.nextDeadline, due <= at(t + 1) { actions += machine.deadlinePassed(at: at(t + 1)) }
        }
        #expect(Self.shown(actions) == ["pbx problem: callpop lost the PBX"])
        let notice = actions.compactMap { if case .show(let n) = $0 { n } else { nil } }.first
        #expect(notice?.body.hasPrefix("cannot connect to AMI at ami://pbx:5038: Connection refused (for 31 s). No call popups") == true, "\(notice?.body ?? "")")
        #expect(notice?.body.contains("reconnecting in") == false, "the retry schedule is stale by the time it is read")
        #expect(machine.nextDeadline == nil, "no timer while the problem is shown")
        let back = machine.sourceReported(Self.report(.connected, "logged in to AMI as \"callpop\""), at: at(200))
        #expect(Self.shown(back) == ["pbx recovered: callpop is connected again"])
        #expect(back.contains(.status("following calls on ami")))
    }

    @Test func aPBXThatIsNeverReachedAtStartIsShownAfterTheGrace() {
        var machine = HealthStateMachine(sourceName: "sip", grace: .seconds(30), now: at(0))
        var actions = machine.sourceReported(Self.report(.connecting, "subscribing to the calls of sip:201@pbx"), at: at(0))
        actions += machine.sourceReported(Self.report(.disconnected, "no answer from the SIP server; subscribing again in 2 s"), at: at(8))
        actions += machine.deadlinePassed(at: at(29))
        #expect(Self.shown(actions).isEmpty)
        actions += machine.deadlinePassed(at: at(30))
        #expect(Self.shown(actions) == ["pbx problem: callpop cannot reach the PBX"])
        #expect(actions.contains(.status("no call popups: PBX unreachable: no answer from the SIP server")))
        #expect(!actions.contains(.ready))
    }

    @Test func aRefusedLoginIsShownAtOnceAndOnce() {
        var machine = HealthStateMachine(sourceName: "ami", now: at(0))
        var actions = machine.sourceReported(Self.report(.failed, "AMI login refused: Authentication failed"), at: at(1))
        actions += machine.sourceReported(Self.report(.failed, "AMI login refused: Authentication failed"), at: at(2))
        #expect(Self.shown(actions) == ["login problem: The PBX refused callpop"])
        let notice = actions.compactMap { if case .show(let n) = $0 { n } else { nil } }.first
        #expect(notice?.body.contains("AMI login refused: Authentication failed\nCheck username and the password") == true)
    }

    @Test func anEventSourceThatGivesOutIsASourceProblem() {
        var machine = HealthStateMachine(sourceName: "events:/run/user/1000/calls", now: at(0))
        _ = machine.sourceReported(Self.report(.connected, "reading"), at: at(0))
        let actions = machine.sourceReported(Self.report(.failed, "events:/x is a regular file and was read to its end"), at: at(5))
        #expect(Self.shown(actions) == ["source problem: callpop receives no calls"])
    }

    @Test func reloadRefusedThenTakenIsShownOnceEach() {
        var machine = HealthStateMachine(sourceName: "ami", now: at(0))
        #expect(machine.reloaded().isEmpty, "a good reload without an earlier problem says nothing")
        let refused = machine.reloadRefused(errorCount: 2, first: "config.toml:3:10: number must be a string")
        #expect(Self.shown(refused) == ["configuration problem: callpop kept its previous configuration"])
        #expect(refused == [.show(.reloadRefused(errorCount: 2, first: "config.toml:3:10: number must be a string"))])
        #expect(Self.shown(machine.reloaded()) == ["configuration recovered: callpop reloaded its configuration"])
        #expect(machine.reloaded().isEmpty)
    }

    @Test func statusIsSentOnlyWhenItChanges() {
        var machine = HealthStateMachine(sourceName: "ami", now: at(0))
        var statuses: [String] = []
        for _ in 0..<5 {
            for action in machine.sourceReported(Self.report(.connecting, "connecting to AMI"), at: at(1)) {
                if case .status(let text) = action { statuses.append(text) }
            }
        }
        #expect(statuses == ["connecting: connecting to AMI"])
    }
}
