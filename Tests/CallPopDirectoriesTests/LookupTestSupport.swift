import CallPopCore
import CallPopDirectories
import CallPopHTTP
import CallPopLookup
import CallPopTestSupport
import Foundation
import Logging
import Synchronization

/// Log lines a service wrote, for "reported once" (tests never bootstrap the logging system).
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    var logger: Logger {
        let recorder = self
        return Logger(label: "test") { _ in Handler(recorder: recorder) }
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            recorder.append("\(event.level): \(event.message)")
        }
    }
}

/// A German user's plan, as in the test servers' data.
let germanPlan = NumberPlan(countryCode: "49")

/// An HTTP client for one test.
func testClient() -> HTTPClient {
    HTTPClient(userAgent: "callpop-test", proxies: ProxyEnvironment(environment: [:]))
}

/// A lookup service over `directories`, its cache in `cache` (nil: none).
func lookupService(
    _ directories: [DirectorySettings], cache: String? = nil, client: HTTPClient, log: LogRecorder = LogRecorder(),
    budget: Duration = .milliseconds(300)
) -> CallerLookupService {
    CallerLookupService(
        settings: LookupSettings(directories: directories, budget: budget), plan: germanPlan, client: client,
        cacheDirectory: cache, logger: log.logger)
}

/// A new empty directory under the temporary directory.
func scratchDirectory(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-\(name)-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Waits until `condition` holds or `seconds` pass; whether it held.
func eventually(seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The permission bits of `path`.
func mode(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? nil
}
