public import CallPopCore
public import CallPopConfig
public import Logging
internal import CallPopSources

/// `callpop dial` with no agent running: over AMI, a connection of its own (the same
/// client and loop as the agent's) that logs in, sends the `Originate` and stays while the
/// placed call starts, so the call-generation and answer rules fire for it once; the HTTP
/// and app paths need no connection.
public enum OneShotDial {
    /// Places `dial` and returns the result; over AMI, returns once the placed call was
    /// answered or ended (or `linger` passed), so the rules it fires have run.
    public static func place(
        _ dial: PlannedDial, configuration: Configuration, environment: [String: String], logger: Logger,
        linger: Duration = .seconds(120)
    ) async -> DialResult {
        guard case .ami(let settings) = configuration.connection,
            let dialer = Dialer(configuration: configuration, ami: AMIDialChannel(), environment: environment),
            dialer.path == .ami, let channel = dialer.ami
        else {
            guard let dialer = Dialer(configuration: configuration, ami: nil, environment: environment) else {
                return DialResult(path: nil, number: dial.number, succeeded: false, message: "the [dial] settings have errors (see callpop check)")
            }
            return await dialer.place(dial)
        }
        let agent = Agent(
            configuration: configuration, options: .init(dryRun: false, output: DecisionOutput(format: .text, toStandardOutput: false)),
            logger: logger, environment: environment)
        let watcher = CallWatcher()
        await agent.observe(watcher)
        let client = AMIClient(configuration: settings, dials: channel)
        let source = Task {
            try await client.run(emit: { await agent.handle($0) }, report: { await agent.sourceReported($0) })
        }
        let result = await dialer.place(dial)
        if result.succeeded, let callID = result.callID {
            await watcher.waitUntilStarted(callID, bound: dialer.settings.ringTimeout + linger)
        }
        source.cancel()
        _ = try? await source.value
        return result
    }
}

/// Waits until a call was answered or ended.
private actor CallWatcher: AgentObserver {
    private var settled: Set<String> = []
    private var waiter: (callID: String, continuation: CheckedContinuation<Void, Never>)?
    nonisolated var observes: AgentObservations { .calls }

    func callChanged(_ call: TrackedCall, offers: [Decision]) async {
        guard call.event.state == .answered || call.event.state == .ended else { return }
        settled.insert(call.event.callID)
        if let waiter, waiter.callID == call.event.callID {
            self.waiter = nil
            waiter.continuation.resume()
        }
    }

    func waitUntilStarted(_ callID: String, bound: Duration) async {
        let timer = Task {
            try await Task.sleep(for: bound)
            self.release()
        }
        defer { timer.cancel() }
        guard !settled.contains(callID) else { return }
        await withCheckedContinuation { waiter = (callID, $0) }
    }

    private func release() {
        waiter?.continuation.resume()
        waiter = nil
    }
}
