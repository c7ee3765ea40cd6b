public import CallPopCore

/// Rules an administrator provides for a whole office (`[provisioning] url`): a TOML fragment
/// of `[[popup]]` and `[[callback]]` tables, merged after the user's own rules.
///
/// A fragment comes from the network, so it is held to more than a local file: popups may
/// only open web pages (`url`, never `app`: a server must not choose programs to run), and
/// no rule may read the user's files or environment (`token_file`, `secret_headers`,
/// `ca_file`). Anything else in the fragment is an error reported with its position.
public struct ProvisionedRules: Sendable, Hashable {
    /// The popups, in the fragment's order.
    public var popups: [PopupRule]
    /// The callbacks, in the fragment's order.
    public var callbacks: [CallbackRule]

    /// Creates a set of rules.
    public init(popups: [PopupRule] = [], callbacks: [CallbackRule] = []) {
        self.popups = popups
        self.callbacks = callbacks
    }
}

extension ConfigurationLoader {
    /// Reads a provisioned fragment; `name` (its URL) stands for the file in messages.
    /// Throws every problem as `NAME:LINE:COLUMN: message`.
    public func loadProvisioned(text: String, name: String) throws(ConfigurationError) -> ProvisionedRules {
        let layer: ConfigLayer
        do {
            layer = try ConfigLayer(text: text, path: name)
        } catch {
            throw ConfigurationError(diagnostics: [error])
        }
        var builder = ConfigBuilder(layers: [layer], environment: [:])
        let rules = builder.buildProvisioned(layer)
        let errors = builder.diagnostics.filter { !$0.isWarning }
        guard errors.isEmpty else { throw ConfigurationError(diagnostics: builder.inFileOrder(builder.diagnostics)) }
        return rules
    }
}

extension ConfigBuilder {
    mutating func buildProvisioned(_ layer: ConfigLayer) -> ProvisionedRules {
        var rules = ProvisionedRules()
        for (key, value) in layer.values.sorted(by: { $0.key < $1.key }) {
            guard ConfigSchema.ruleLists.contains(key), case .array(let items) = value else {
                report(layer, key, "a provisioned fragment holds only [[popup]] and [[callback]] tables, not '\(key)'")
                continue
            }
            if key == "callback" {
                rules.callbacks = buildCallbacks(items, layer: layer, provisioned: true)
                continue
            }
            for (i, item) in items.enumerated() {
                let path = "popup[\(i)]"
                guard case .table(let t) = item else { report(layer, path, "each popup must be a table"); continue }
                if t["app"] != nil {
                    report(layer, "\(path).app", "a provisioned popup may only open a web page (url): a server must not choose programs to run")
                    continue
                }
                if let rule = buildRule(t, path: path, layer: layer) { rules.popups.append(rule) }
            }
        }
        return rules
    }
}

extension Configuration {
    /// This configuration with rules from elsewhere added after its own, a local rule winning
    /// over a provisioned one with the same id, and colleague numbers from a directory.
    public func merged(provisioned: ProvisionedRules?, colleagueNumbers: [String]) -> Configuration {
        var merged = self
        if let provisioned {
            let popupIDs = Set(ruleSet.rules.map(\.id))
            merged.ruleSet.rules += provisioned.popups.filter { !popupIDs.contains($0.id) }
            let callbackIDs = Set(callbacks.map(\.id))
            merged.callbacks += provisioned.callbacks.filter { !callbackIDs.contains($0.id) }
        }
        merged.ruleSet.colleagues.patterns += colleagueNumbers.compactMap(NumberPattern.init)
        return merged
    }
}
