import CallPopCore
import CallPopPlatform

/// What a source's I/O thread hands to the agent, in order.
enum SourceOutput: Sendable {
    case event(CallEvent)
    case report(SourceReport)
}

/// Runs a source's I/O loop on its own thread (`IOThread`) and passes what it produces
/// to `emit` and `report`. The bridge holds `capacity` outputs: a PBX that sends faster
/// than the agent decides is held back by its connection, not by the agent's memory.
func runSourceLoop(
    name: String, capacity: Int = 256,
    emit: @Sendable (CallEvent) async -> Void, report: @Sendable (SourceReport) async -> Void,
    loop: @escaping @Sendable (IOLink<SourceOutput>) -> SourceError?
) async throws(SourceError) {
    let ending: IOThread.Ending<SourceError>
    do {
        ending = try await IOThread.run(capacity: capacity, loop: loop) { output in
            switch output {
            case .event(let event): await emit(event)
            case .report(let notice): await report(notice)
            }
        }
    } catch {
        throw SourceError(.systemResources, "cannot start the \(name) source: \(error)")
    }
    switch ending {
    case .finished:
        return
    case .abandoned:
        await report(SourceReport(.warning, "the \(name) source did not finish its goodbye in time; stopped without it"))
    case .failed(let error):
        throw error
    }
}
