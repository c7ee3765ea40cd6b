/// What a rule's target becomes for one call: the exact argv to run.
public struct LaunchPlan: Sendable, Hashable {
    /// A web page or a program.
    public var action: TargetKind
    /// The expanded URL, for URL targets.
    public var url: String?
    /// The exact argv that runs (the opener included for URL targets).
    public var argv: [String]
    /// Extra environment entries (`CALLPOP_*`) for app targets.
    public var environment: [String: String]

    /// Creates a plan.
    public init(action: TargetKind, url: String?, argv: [String], environment: [String: String]) {
        self.action = action
        self.url = url
        self.argv = argv
        self.environment = environment
    }
}

/// Settings that shape how targets expand and run.
public struct LaunchPolicy: Sendable, Hashable {
    /// The program and leading arguments that open URL targets; the URL is appended.
    public var opener: [String]
    /// URL schemes a popup may open, lower-case.
    public var allowedSchemes: Set<String>

    /// Creates a policy; defaults: `xdg-open`, `http` and `https`.
    public init(opener: [String] = ["xdg-open"], allowedSchemes: Set<String> = ["http", "https"]) {
        self.opener = opener
        self.allowedSchemes = allowedSchemes
    }
}

extension PopupTarget {
    /// Expands the target for a call. URL values are percent-encoded, as are values in app
    /// arguments that are themselves `http(s)://` URLs; other app arguments get the cleaned
    /// value. Every template becomes exactly one argument. Throws when the result may not run.
    public func plan(_ variables: CallVariables, policy: LaunchPolicy) throws(URLCheck.Refusal) -> LaunchPlan {
        switch self {
        case .url(let template):
            let url = try template.expandURL(variables)
            try template.check(url, allowedSchemes: policy.allowedSchemes)
            return LaunchPlan(action: .url, url: url, argv: policy.opener + [url], environment: [:])
        case .app(let words):
            var argv: [String] = []
            argv.reserveCapacity(words.count)
            for word in words {
                if word.isWebURL {
                    let url = try word.expandURL(variables)
                    try word.check(url, allowedSchemes: Self.webSchemes)
                    argv.append(url)
                } else {
                    argv.append(word.expand(variables, encode: false))
                }
            }
            var environment: [String: String] = [:]
            for (name, value) in variables.environment { environment[name] = value }
            return LaunchPlan(action: .app, url: nil, argv: argv, environment: environment)
        }
    }
}

extension PopupTarget {
    fileprivate static let webSchemes: Set<String> = ["http", "https"]
}

extension Template {
    /// Checks an expansion of this URL template: only that the scheme is allowed when the
    /// template's fixed parts were proven valid at load (`fixedURLScheme`), else the whole URL.
    func check(_ url: String, allowedSchemes: Set<String>) throws(URLCheck.Refusal) {
        if let fixedURLScheme, allowedSchemes.contains(fixedURLScheme) { return }
        try URLCheck.validate(url, allowedSchemes: allowedSchemes)
    }

    /// The text with each placeholder replaced by its (cleaned) value, percent-encoded
    /// when `encode` is set; the user's literal text is kept as written.
    public func expand(_ variables: CallVariables, encode: Bool) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case .literal(let text): out += text
            case .variable(let v, let t):
                let value = variables.value(v, t)
                out += encode ? PercentEncoding.encode(value) : value
            }
        }
        return out
    }

    /// Expands a URL template: values percent-encoded, and a value that would be a whole
    /// `.` or `..` path segment refused (browsers resolve `%2E%2E` too, so encoding cannot help).
    /// Written as bytes into one buffer: this runs for every popup of every call.
    public func expandURL(_ variables: CallVariables) throws(URLCheck.Refusal) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(source.utf8.count + 128)
        var inPath = true
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .literal(let text):
                out.append(contentsOf: text.utf8)
                if inPath, text.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { inPath = false }
            case .variable(let v, let t):
                let value = variables.value(v, t)
                if index == 0, startsWithContactURL {
                    // The contact's record URL, whole: `check` then validates all of it.
                    out.append(contentsOf: value.utf8)
                    if value.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { inPath = false }
                    continue
                }
                if inPath, value == "." || value == ".." { throw .dotSegment }
                PercentEncoding.encode(value, into: &out)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether the template starts with a placeholder (so the caller chooses how it begins).
    public var startsWithVariable: Bool {
        if case .variable? = segments.first { true } else { false }
    }

    /// Whether a URL template's scheme and host are fixed text: for `scheme://` URLs the
    /// literal before the first placeholder reaches a `/`, `?` or `#` after the host.
    public var hasFixedAuthority: Bool {
        guard !isConstant else { return true }
        let head = leadingLiteral
        guard let marker = head.firstRange(of: "://") else { return true }
        let afterScheme = head[marker.upperBound...]
        return afterScheme.contains { $0 == "/" || $0 == "?" || $0 == "#" }
            && !afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }.isEmpty
    }

    /// Whether the template starts with `http://` or `https://` in its literal text.
    public var isWebURL: Bool {
        let head = leadingLiteral.prefix(8).lowercased()
        return head.hasPrefix("http://") || head.hasPrefix("https://")
    }
}
