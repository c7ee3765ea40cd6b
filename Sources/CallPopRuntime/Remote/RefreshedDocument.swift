import CallPopHTTP
import Logging

/// A document kept current over HTTP: read from its cache at start (so a start without
/// network still has it), then fetched every `refresh` with conditional requests. A new
/// body is applied and cached only when `parse` accepts it; a broken one is reported and
/// the last good copy stays in force.
struct RefreshedDocument<Value: Sendable>: Sendable {
    /// What it is, for messages: "colleague directory", "provisioned rules".
    let name: String
    let resource: CachedResource
    let refresh: Duration
    /// The value in a body, or why the body is unusable.
    let parse: @Sendable ([UInt8]) -> Result<Value, DocumentProblem>
    /// Puts a value in force.
    let apply: @Sendable (Value) async -> Void

    /// Why a body was refused, in words for the log.
    struct DocumentProblem: Error {
        var message: String
    }

    /// The cached value, when the cache holds a good copy for this URL.
    func cachedValue() -> (value: Value, copy: CachedResource.Copy)? {
        guard let copy = resource.cached(), case .success(let value) = parse(copy.body) else { return nil }
        return (value, copy)
    }

    /// Fetches now and then until cancelled, starting at once.
    func run(client: HTTPClient, logger: Logger, current start: CachedResource.Copy?) async {
        var current = start
        while !Task.isCancelled {
            switch await resource.fetch(with: client, current: current) {
            case .notModified:
                logger.debug("\(name) from \(resource.request.host): not modified")
            case .failed(let why):
                logger.warning("\(name): \(why); \(current == nil ? "none in force yet" : "keeping the last good copy")")
            case .new(let copy):
                switch parse(copy.body) {
                case .success(let value):
                    await apply(value)
                    do { try resource.store(copy) } catch { logger.warning("\(name): not cached: \(error)") }
                    current = copy
                    logger.info("\(name) from \(resource.request.host) updated")
                case .failure(let problem):
                    logger.error("\(name) from \(resource.request.host) refused, \(current == nil ? "none in force" : "the last good copy stays"):\n\(problem.message)")
                }
            }
            do { try await Task.sleep(for: refresh) } catch { return }
        }
    }
}
