import CallPopAMI
import CallPopCore
import CallPopSIP
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing

/// A running `SIPDialogSource` and what it delivered.
final class RunningSource: Sendable {
    let recorder = OutputRecorder()
    private let task: Task<Void, any Error>

    init(_ configuration: SIPSourceConfiguration) {
        let recorder = recorder
        task = Task {
            try await SIPDialogSource(configuration: configuration).run(
                emit: { await recorder.add(event: $0) }, report: { await recorder.add(report: $0) })
        }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Collects events and reports; lets a test wait for a condition without sleeping blindly.
actor OutputRecorder {
    private(set) var events: [CallEvent] = []
    private(set) var reports: [SourceReport] = []
    private var waiters: [UUID: (condition: @Sendable ([CallEvent], [SourceReport]) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = [:]

    func add(event: CallEvent) { events.append(event); check() }
    func add(report: SourceReport) { reports.append(report); check() }

    /// Waits until `condition` holds or `seconds` pass; returns whether it held.
    func wait(seconds: Double, until condition: @escaping @Sendable ([CallEvent], [SourceReport]) -> Bool) async -> Bool {
        if condition(events, reports) { return true }
        let id = UUID()
        return await withCheckedContinuation { continuation in
            waiters[id] = (condition, continuation)
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                self.expire(id)
            }
        }
    }

    private func expire(_ id: UUID) {
        waiters.removeValue(forKey: id)?.continuation.resume(returning: false)
    }

    private func check() {
        for (id, waiter) in waiters where waiter.condition(events, reports) {
            waiters.removeValue(forKey: id)?.continuation.resume(returning: true)
        }
    }
}

