import CallPopAMI
import CallPopCore
import CallPopSIP
import CallPopSources
import CallPopTestSupport
import Foundation
import Testing

/// A running `SIPDialogSource` and what it delivered.
final class RunningSource: Sendable {
    let recorder = SourceRecorder()
    private let task: Task<Void, any Error>

    init(_ configuration: SIPSourceConfiguration) {
        let recorder = recorder
        task = Task {
            try await SIPDialogSource(configuration: configuration).run(
                emit: { await recorder.record($0) }, report: { await recorder.record($0) })
        }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
