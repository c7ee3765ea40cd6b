internal import Glibc

/// Reads configuration files and turns them into a validated `Configuration`,
/// collecting every problem as `FILE:LINE:COLUMN: message` before giving up.
public struct ConfigurationLoader: Sendable {
    /// The environment (secrets, `PATH` for the program check).
    public var environment: [String: String]

    /// Creates a loader.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Loads `explicitFile` alone when given; else the user's file over the system-wide
    /// defaults. Throws `ConfigurationError` when there is no file or any error.
    public func load(explicitFile: String? = nil) throws(ConfigurationError) -> Configuration {
        let locator = ConfigurationLocator(environment: environment)
        var paths: [String]
        if let explicitFile {
            paths = [explicitFile]
        } else {
            paths = locator.systemFiles.reversed().filter(Self.exists)
            if Self.exists(locator.userFile) { paths.append(locator.userFile) }
            guard !paths.isEmpty else {
                var d = ConfigDiagnostic(
                    position: nil,
                    message: "no configuration: create it (`callpop init` writes a commented starter) or pass --config FILE")
                d.file = locator.userFile
                throw ConfigurationError(diagnostics: [d])
            }
        }
        var layers: [ConfigLayer] = []
        var diagnostics: [ConfigDiagnostic] = []
        for path in paths {
            do {
                layers.append(try ConfigLayer(path: path))
            } catch {
                diagnostics.append(error)
            }
        }
        guard diagnostics.isEmpty else { throw ConfigurationError(diagnostics: diagnostics) }
        return try build(layers)
    }

    /// Loads configuration text directly (tests, `callpop demo`); `name` stands for the file in messages.
    public func load(text: String, name: String) throws(ConfigurationError) -> Configuration {
        do {
            return try build([try ConfigLayer(text: text, path: name)])
        } catch let error as ConfigDiagnostic {
            throw ConfigurationError(diagnostics: [error])
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(diagnostics: [ConfigDiagnostic(position: nil, message: "\(error)")])
        }
    }

    private func build(_ layers: [ConfigLayer]) throws(ConfigurationError) -> Configuration {
        var builder = ConfigBuilder(layers: layers, environment: environment)
        let configuration = builder.build()
        let errors = builder.diagnostics.filter { !$0.isWarning }
        guard errors.isEmpty else { throw ConfigurationError(diagnostics: builder.diagnostics) }
        return configuration
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

/// One configuration file: its values and where each key stands.
struct ConfigLayer {
    var path: String
    var values: [String: ConfigValue]
    var locator: KeyLocator

    init(path: String) throws(ConfigDiagnostic) {
        let bytes: [UInt8]
        do {
            bytes = try FileText.readBytes(path)
        } catch {
            var d = ConfigDiagnostic(position: nil, message: error.message)
            d.file = path
            throw d
        }
        // Invalid UTF-8 is found here, before decoding would repair it away.
        if var d = TOMLBytes.firstProblem(in: bytes) {
            d.file = path
            throw d
        }
        try self.init(text: String(decoding: bytes, as: UTF8.self), path: path)
    }

    init(text: String, path: String) throws(ConfigDiagnostic) {
        self.path = path
        if var d = TOMLBytes.firstProblem(in: Array(text.utf8)) {
            d.file = path
            throw d
        }
        locator = KeyLocator(text: text)
        if var d = locator.unparsable {
            d.file = path
            throw d
        }
        do {
            values = try TOMLDocument.parse(text)
        } catch {
            var d = error
            d.file = path
            throw d
        }
    }
}
