internal import CallPopCore

/// Secrets for HTTP requests: `token_file` (a bearer token) and `secret_headers`
/// (`file:PATH` or `env:NAME` per header), read once at load. A secret file must not be
/// readable by group or others, exactly like `password_file`.
extension ConfigBuilder {
    /// The text of the secret file at `written` (`~/` expanded), its last line break removed;
    /// nil (after reporting at `key`) when it is missing, unreadable or too open.
    mutating func readSecretFile(_ written: String, layer: ConfigLayer, key: String) -> String? {
        let path = expandHome(written)
        let name = key.split(separator: ".").last.map(String.init) ?? key
        guard let mode = FileText.mode(path) else {
            report(layer, key, "\(name) '\(path)' does not exist or cannot be read")
            return nil
        }
        if mode & 0o077 != 0 {
            report(layer, key,
                   "\(name) '\(path)' is readable by group or others (mode \(String(mode & 0o777, radix: 8))): run chmod 600 '\(path)'")
            return nil
        }
        do {
            var secret = try FileText.read(path, limit: 4096)
            // By scalars: "\r\n" is one Character, so a Character-wise trim leaves a CRLF ending.
            while let last = secret.unicodeScalars.last, last == "\n" || last == "\r" { secret.unicodeScalars.removeLast() }
            return secret
        } catch {
            report(layer, key, "\(name) '\(path)': \(error.message)")
            return nil
        }
    }

    /// `token_file` as `Authorization: Bearer …` and each `secret_headers` entry, all secret.
    /// `path` is where the keys stand (`callback[0]`, `colleagues`); `allowed` is false for
    /// provisioned rules, which must not read the user's files or environment.
    mutating func secretHeaders(_ t: [String: ConfigValue], path: String, layer: ConfigLayer, allowed: Bool = true) -> [HeaderField] {
        var headers: [HeaderField] = []
        if !allowed {
            for key in ["token_file", "secret_headers"] where t[key] != nil {
                report(layer, "\(path).\(key)", "provisioned rules cannot read secrets from your files or environment: put this rule in your own configuration")
            }
            return []
        }
        if let value = t["token_file"] {
            if case .string(let file) = value {
                if let token = readSecretFile(file, layer: layer, key: "\(path).token_file") {
                    headers.append(HeaderField("Authorization", "Bearer " + token, isSecret: true))
                }
            } else {
                report(layer, "\(path).token_file", "token_file must be a string (a path)")
            }
        }
        guard let value = t["secret_headers"] else { return headers }
        guard case .table(let entries) = value else {
            report(layer, "\(path).secret_headers", "secret_headers must be a table: { \"X-Api-Key\" = \"file:~/.config/callpop/crm.key\" }")
            return headers
        }
        for (name, source) in entries.sorted(by: { $0.key < $1.key }) {
            let key = "\(path).secret_headers"
            guard HeaderField.isValidName(name) else { report(layer, key, "'\(name)' is not a header name"); continue }
            guard case .string(let text) = source else { report(layer, key, "secret header \(name) must be \"file:PATH\" or \"env:NAME\""); continue }
            var secret: String?
            if text.hasPrefix("file:") {
                secret = readSecretFile(String(text.dropFirst(5)), layer: layer, key: key)
            } else if text.hasPrefix("env:") {
                secret = secretFromEnvironment(String(text.dropFirst(4)))
                if secret == nil { report(layer, key, "secret header \(name): the environment variable \(text.dropFirst(4)) is not set") }
            } else {
                report(layer, key, "secret header \(name) must be \"file:PATH\" or \"env:NAME\": a secret never sits in the configuration file")
            }
            guard let secret else { continue }
            guard HeaderField.isValidValue(secret) else {
                report(layer, key, "secret header \(name): the secret holds a line break or a control character")
                continue
            }
            headers.append(HeaderField(name, secret, isSecret: true))
        }
        return headers
    }
}
