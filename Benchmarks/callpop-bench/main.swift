// callpop-bench: measures the costs the project promises to keep small.
//
//   swift run -c release callpop-bench [decision|spawn|ami ...]   (no names: every section)
//
// - decision: event → decisions with expanded URL/argv, for a new call each time
//   (the event-to-launch overhead before posix_spawn; target < 50 µs)
// - spawn: posix_spawn + reap of /bin/true through the real launcher, for scale
// - ami: framing + call mapping of the recorded Asterisk streams (see AMIBench.swift)
import CallPopCore
import CallPopConfig
import CallPopLaunch
import Glibc

func measure(_ label: String, iterations: Int, _ body: (Int) -> Void) -> Duration {
    let clock = ContinuousClock()
    for i in 0..<min(1000, iterations) { body(i) }  // warm up
    let elapsed = clock.measure { for i in 0..<iterations { body(i) } }
    let per = elapsed / iterations
    print("\(label): \(iterations) in \(elapsed) → \(per) each")
    return per
}

let sections = Set(CommandLine.arguments.dropFirst())
func wanted(_ section: String) -> Bool { sections.isEmpty || sections.contains(section) }

let config = """
    [user]
    number = "201"
    name = "Alice Agent"
    country_code = "44"
    [[popup]]
    name = "CRM"
    direction = "incoming"
    trigger = "ringing"
    url = "https://crm.example.com/contacts?phone={CALLERNUM:e164}&name={CALLERNAME}&did={CALLEDNUM}"
    [[popup]]
    name = "Ticket"
    direction = "any"
    trigger = "on-click"
    url = "https://desk.example.com/tickets/new?To={CALLERNAME}&From={CALLERNUM}"
    [[popup]]
    name = "App"
    direction = "incoming"
    trigger = "answer"
    app = "crm-app --number {CALLERNUM:national} --name {CALLERNAME}"
    """
let configuration = try ConfigurationLoader(environment: [:]).load(text: config, name: "bench")
var sink = 0
var perDecision: Duration?
if wanted("decision") {
    var engine = DecisionEngine(ruleSet: configuration.ruleSet)
    perDecision = measure("decision (new call ringing → launch plan)", iterations: 200_000) { i in
        let event = CallEvent(
            callID: "bench-\(i)", state: .ringing, direction: .incoming, remoteNumber: "+442071234567",
            remoteName: "John Doe", calledNumber: "5550100")
        let outcome = engine.handle(event, at: .now)
        sink &+= outcome.decisions.count
        _ = engine.handle(CallEvent(callID: "bench-\(i)", state: .ended, direction: .incoming), at: .now)
    }
}
if wanted("spawn") {
    let launcher = ProcessLauncher(baseEnvironment: ["PATH": "/usr/bin:/bin"])
    let plan = LaunchPlan(action: .app, url: nil, argv: ["/bin/true"], environment: [:])
    let perSpawn = measure("spawn (posix_spawn of /bin/true, reaped)", iterations: 300) { _ in
        _ = try? launcher.launch(plan) { _ in }
    }
    if let perDecision { print("decision overhead \(perDecision) vs spawn \(perSpawn); sink \(sink)") }
}
if wanted("ami") { benchAMI() }
