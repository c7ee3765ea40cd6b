/// What a rule's target becomes for one call: the exact argv to run.
public struct LaunchPlan: Sendable, Hashable {
    /// `url` or `app`.
    public var action: String
    /// The expanded URL, for URL targets.
    public var url: String?
    /// The exact argv that runs (the opener included for URL targets).
    public var argv: [String]
    /// Extra environment entries (`CALLPOP_*`) for app targets.
    public var environment: [String: String]

    /// Creates a plan.
    public init(action: String, url: String?, argv: [String], environment: [String: String]) {
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
            let url = template.expand(variables, encode: true)
            try URLCheck.validate(url, allowedSchemes: policy.allowedSchemes)
            return LaunchPlan(action: "url", url: url, argv: policy.opener + [url], environment: [:])
        case .app(let words):
            var argv: [String] = []
            argv.reserveCapacity(words.count)
            for word in words {
                if word.isWebURL {
                    let url = word.expand(variables, encode: true)
                    try URLCheck.validate(url, allowedSchemes: ["http", "https"])
                    argv.append(url)
                } else {
                    argv.append(word.expand(variables, encode: false))
                }
            }
            var environment: [String: String] = [:]
            for (name, value) in variables.environment { environment[name] = value }
            return LaunchPlan(action: "app", url: nil, argv: argv, environment: environment)
        }
    }
}

extension Template {
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

    /// Whether the template starts with `http://` or `https://` in its literal text.
    public var isWebURL: Bool {
        let head = leadingLiteral.prefix(8).lowercased()
        return head.hasPrefix("http://") || head.hasPrefix("https://")
    }
}
