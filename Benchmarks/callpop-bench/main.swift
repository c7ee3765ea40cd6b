// callpop-bench: measures the costs the project promises to keep small.
//
//   swift run -c release callpop-bench [decision|spawn|ami ...]   (no names: every section)
//
// - decision: event → decisions with expanded URL/argv, for a new call each time
//   (the event-to-launch overhead before posix_spawn; target < 50 µs)
// - json: the --json line of one launch decision
// - spawn: posix_spawn + reap of /bin/true through the real launcher, for scale
// - ami: framing + call mapping of the recorded Asterisk streams (see AMIBench.swift)
import CallPopCore
import CallPopConfig
import CallPopLaunch
import Glibc

/// Runs `body` `iterations` times after a warm-up; prints and returns the wall time per run
/// (this thread's CPU time per run is printed too: unlike the wall clock it ignores waiting
/// for a core on a busy machine).
func measure(_ label: String, iterations: Int, _ body: (Int) -> Void) -> Duration {
    let clock = ContinuousClock()
    for i in 0..<min(1000, iterations) { body(i) }  // warm up
    let cpuStart = threadCPUSeconds()
    let elapsed = clock.measure { for i in 0..<iterations { body(i) } }
    let cpu = (threadCPUSeconds() - cpuStart) / Double(iterations)
    let per = elapsed / iterations
    print("\(label): \(iterations) in \(elapsed) → \(per) each, \(Int((cpu * 1e9).rounded())) ns CPU each")
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
    // A new call rings, then ends, as in life (so the tracker holds a handful of calls): the
    // ringing (the event-to-launch path) and the end are timed apart, in batches of 16 calls.
    let batches = 12_500, batch = 16
    let ids = (0..<(batches * batch)).map { "bench-\($0)" }
    var ringCPU = 0.0, endCPU = 0.0
    var ringWall = Duration.zero
    let clock = ContinuousClock()
    for round in -100..<batches {  // the first 100 batches warm up
        let first = max(0, round) * batch
        let cpu0 = threadCPUSeconds()
        let wall0 = clock.now
        for i in first..<(first + batch) {
            let event = CallEvent(
                callID: ids[i], state: .ringing, direction: .incoming, remoteNumber: "+442071234567",
                remoteName: "John Doe", calledNumber: "5550100")
            sink &+= engine.handle(event, at: .now).decisions.count
        }
        let wall1 = clock.now
        let cpu1 = threadCPUSeconds()
        for i in first..<(first + batch) {
            _ = engine.handle(CallEvent(callID: ids[i], state: .ended, direction: .incoming), at: .now)
        }
        let cpu2 = threadCPUSeconds()
        guard round >= 0 else { continue }
        ringCPU += cpu1 - cpu0
        endCPU += cpu2 - cpu1
        ringWall += wall1 - wall0
    }
    let calls = Double(batches * batch)
    perDecision = ringWall / (batches * batch)
    print("decision (new call ringing → launch plan, three rules): \(Int((ringCPU / calls * 1e9).rounded())) ns CPU, "
        + "\(perDecision!) wall each; its end: \(Int((endCPU / calls * 1e9).rounded())) ns CPU (\(batches * batch) calls)")
}
if wanted("json") {
    // The --json decision line of a launch (URL and argv): written for every decision shown.
    var engine = DecisionEngine(ruleSet: configuration.ruleSet)
    let outcome = engine.handle(
        CallEvent(callID: "1795593625.0", state: .ringing, direction: .incoming, remoteNumber: "+442071234567",
                  remoteName: "John Doe", calledNumber: "5550100"), at: .now)
    guard var decision = outcome.decisions.first(where: { $0.verdict == .launch }) else { fatalError("json: no launch") }
    let ids = (0..<1000).map { "1795593\(625 + $0).0" }  // a different line each time: nothing to hoist
    _ = measure("json (decision line of a launch, \(decision.json.utf8.count) bytes)", iterations: 200_000) { i in
        decision.callID = ids[i % ids.count]
        sink &+= decision.json.utf8.count
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
