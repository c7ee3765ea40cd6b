public import CallPopConfig
import Synchronization

/// The configuration in force: the user's files, plus what arrives over HTTP — colleague
/// numbers from `[colleagues] url` and rules from `[provisioning] url` — merged the one way
/// `Configuration.merged` says. A reload replaces the files' part and keeps the rest; a
/// refresh replaces its part and keeps the files'.
public final class RemoteConfiguration: Sendable {
    private struct Parts {
        var base: Configuration
        var colleagueNumbers: [String] = []
        var provisioned: ProvisionedRules?
    }

    private let parts: Mutex<Parts>

    /// Starts from the user's files.
    public init(base: Configuration) {
        parts = Mutex(Parts(base: base))
    }

    /// The merged configuration.
    public var effective: Configuration {
        parts.withLock { $0.base.merged(provisioned: $0.provisioned, colleagueNumbers: $0.colleagueNumbers) }
    }

    /// Whether the merged configuration has callbacks, without merging it (every call event asks).
    public var hasCallbacks: Bool {
        parts.withLock { !$0.base.callbacks.isEmpty || !($0.provisioned?.callbacks.isEmpty ?? true) }
    }

    /// The files' part changed (SIGHUP, `Reload()`): the merged result.
    public func rebase(_ base: Configuration) -> Configuration {
        parts.withLock { $0.base = base }
        return effective
    }

    /// New colleague numbers; the merged result, or nil when nothing changed.
    func setColleagueNumbers(_ numbers: [String]) -> Configuration? {
        let changed = parts.withLock { parts -> Bool in
            defer { parts.colleagueNumbers = numbers }
            return parts.colleagueNumbers != numbers
        }
        return changed ? effective : nil
    }

    /// New provisioned rules; the merged result, or nil when nothing changed.
    func setProvisioned(_ rules: ProvisionedRules) -> Configuration? {
        let changed = parts.withLock { parts -> Bool in
            defer { parts.provisioned = rules }
            return parts.provisioned != rules
        }
        return changed ? effective : nil
    }
}
