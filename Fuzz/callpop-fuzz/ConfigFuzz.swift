import CallPopConfig
import CallPopCore

/// The configuration loader, on damaged files (a bad merge, a truncated write, a stray byte):
/// it loads, or reports problems that each name the file; it never crashes. The TOML library
/// asserts on some inputs it is never shown (`KeyLocator.unparsable`): this is where a new one
/// would surface.
enum ConfigFuzz {
    static let loader = ConfigurationLoader(environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "CALLPOP_PBX_PASSWORD": "x"])

    static func load(_ raw: UnsafeRawBufferPointer) {
        let text = String(decoding: raw, as: UTF8.self)
        do {
            let configuration = try loader.load(text: text, name: "fuzz.toml")
            require(!configuration.ruleSet.user.number.isEmpty, "a configuration without the user's number loaded")
        } catch {
            require(!error.diagnostics.isEmpty, "a refusal without a problem")
            for problem in error.diagnostics {
                require(problem.description.hasPrefix("fuzz.toml"), "a problem not naming the file: \(problem)")
            }
        }
    }
}
