/// `callpop handler enable|disable|status`: which program opens `tel:`, `callto:` and
/// `sip:` links, and making it callpop without taking it from another program unasked.
///
/// - `enable` makes callpop the default for every scheme, but only when none of them
///   belongs to another program; otherwise it changes nothing and reports them.
/// - `enable --force` replaces them, and remembers each replaced handler.
/// - `disable` gives each scheme that callpop holds back to the handler it replaced, or
///   removes callpop's default when it replaced none. Schemes another program holds by
///   then are left alone.
///
/// When no handler entry is installed (callpop not installed from the package),
/// `enable` writes a user copy running the given executable, and `disable` removes it.
/// An installed entry still makes callpop a candidate for the schemes: with no default
/// set, desktops pick an installed program that declares them, and the report says so.
public struct SchemeHandlers: Sendable {
    /// One scheme's handler.
    public struct Scheme: Sendable, Hashable {
        /// `x-scheme-handler/tel`.
        public var mimeType: String
        /// The desktop id of its default handler, `nil` for none.
        public var handler: String?
        /// The handler callpop replaced (and `disable` gives back), if remembered.
        public var previous: String?
        /// Whether the handler is the user's choice (in their `mimeapps.list`), not just
        /// the only or first installed program for the scheme.
        public var isChosen = false

        /// Whether callpop handles it.
        public var isCallpop: Bool { handler == DialHandlerEntry.fileName }
        /// Whether another program handles it.
        public var isOther: Bool { handler != nil && !isCallpop }
        /// `tel:`.
        public var scheme: String { String(mimeType.dropFirst("x-scheme-handler/".count)) + ":" }
    }

    /// What a command found and did.
    public struct Report: Sendable, Hashable {
        /// Every scheme's handler after the command.
        public var schemes: [Scheme]
        /// The installed handler entry, if any.
        public var entry: String?
        /// The user copy of the entry written by this command, if one was.
        public var wroteEntry: String?
        /// Schemes another program holds that `enable` left alone (it changed nothing then).
        public var conflicts: [Scheme]
        /// Schemes given back to the handler callpop had replaced.
        public var restored: [Scheme]

        /// Whether every scheme opens with callpop.
        public var isEnabled: Bool { schemes.allSatisfy(\.isCallpop) }

        /// The report in lines, for the terminal.
        public var lines: [String] {
            var lines = schemes.map { scheme in
                let chosen = scheme.isChosen || scheme.handler == nil ? "" : " (no default is set; it is the installed program for these links)"
                let who = (scheme.isCallpop ? "callpop" : scheme.handler.map { "\(Self.shown($0)), another program" } ?? "no program") + chosen
                let before = scheme.previous.map { "; callpop replaced \(Self.shown($0)), which disable gives back" } ?? ""
                return "\(scheme.scheme.padding(7)) \(who)\(before)"
            }
            lines.append("entry:  " + (entry ?? "\(DialHandlerEntry.fileName) is not installed"))
            if let wroteEntry { lines.append("wrote \(wroteEntry)") }
            for scheme in restored { lines.append("\(scheme.scheme) given back to \(Self.shown(scheme.handler ?? "?"))") }
            if !conflicts.isEmpty {
                let list = conflicts.map { "\($0.scheme) \(Self.shown($0.handler ?? "?"))" }.joined(separator: ", ")
                lines.append("nothing changed: links already open with another program (\(list)); "
                    + "`callpop handler enable --force` replaces it, and `callpop handler disable` gives it back")
            }
            return lines
        }

        /// A desktop id as it may be printed (it comes from the user's files).
        static func shown(_ id: String) -> String {
            String(id.unicodeScalars.prefix(120).map { (0x20...0x7e).contains($0.value) ? Character($0) : "?" })
        }
    }

    private let mime: XDGMime
    /// Where the files are.
    public let locations: HandlerLocations

    /// Creates the command logic for the user `environment` describes (HOME, the XDG
    /// variables, PATH and the desktop's variables, which `xdg-mime` reads).
    public init(environment: [String: String]) {
        mime = XDGMime(environment: environment)
        locations = HandlerLocations(environment: environment)
    }

    /// Which program handles each scheme.
    public func status() throws(SetupError) -> Report {
        try report()
    }

    /// Makes callpop the handler; `executable` is callpop's absolute path, for a user copy
    /// of the entry when none is installed.
    public func enable(force: Bool, executable: String) throws(SetupError) -> Report {
        let before = try report()
        let others = before.schemes.filter(\.isOther)
        guard force || others.isEmpty else {
            var unchanged = before
            unchanged.conflicts = others
            return unchanged
        }
        var wrote: String?
        if before.entry == nil {
            try UserFiles.replace(locations.userEntry, with: try DialHandlerEntry.text(executable: executable))
            wrote = locations.userEntry
        }
        var previous = try rememberedHandlers()
        for scheme in others { previous[scheme.mimeType] = scheme.handler }
        try remember(previous)
        try mime.setDefault(DialHandlerEntry.fileName, for: DialHandlerEntry.mimeTypes)
        var after = try report()
        after.wroteEntry = wrote
        return after
    }

    /// Gives the schemes callpop holds back.
    public func disable() throws(SetupError) -> Report {
        let before = try report()
        var previous = try rememberedHandlers()
        var restored: [Scheme] = []
        for scheme in before.schemes where scheme.isCallpop {
            if let handler = previous.removeValue(forKey: scheme.mimeType) {
                try mime.setDefault(handler, for: [scheme.mimeType])
                restored.append(Scheme(mimeType: scheme.mimeType, handler: handler))
            } else {
                try removeCallpopDefault(scheme.mimeType)
            }
        }
        try remember(previous)
        try UserFiles.remove(locations.userEntry)
        var after = try report()
        after.restored = restored
        return after
    }

    // MARK: -

    private func report() throws(SetupError) -> Report {
        let previous = try rememberedHandlers()
        let chosen = try UserFiles.read(locations.mimeAppsList) ?? ""
        var schemes: [Scheme] = []
        for mimeType in DialHandlerEntry.mimeTypes {
            let handler = try mime.defaultHandler(for: mimeType)
            let isChosen = handler.map { MimeAppsList.defaults(chosen, mimeType: mimeType).contains($0) } ?? false
            schemes.append(Scheme(mimeType: mimeType, handler: handler, previous: previous[mimeType], isChosen: isChosen))
        }
        return Report(schemes: schemes, entry: locations.installedEntry, conflicts: [], restored: [])
    }

    private func removeCallpopDefault(_ mimeType: String) throws(SetupError) {
        let path = locations.mimeAppsList
        guard let text = try UserFiles.read(path),
            let edited = MimeAppsList.removingDefault(text, mimeType: mimeType, desktopID: DialHandlerEntry.fileName)
        else { return }
        try UserFiles.replace(path, with: edited)
    }

    /// The remembered handlers by MIME type; lines that are not `mime/type=id.desktop` are skipped.
    private func rememberedHandlers() throws(SetupError) -> [String: String] {
        var handlers: [String: String] = [:]
        for line in (try UserFiles.read(locations.previousHandlers) ?? "").split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let mimeType = String(line[..<equals]), id = String(line[line.index(after: equals)...])
            if DialHandlerEntry.mimeTypes.contains(mimeType), Self.isDesktopID(id) { handlers[mimeType] = id }
        }
        return handlers
    }

    private func remember(_ handlers: [String: String]) throws(SetupError) {
        let kept = DialHandlerEntry.mimeTypes.compactMap { type in
            handlers[type].flatMap { Self.isDesktopID($0) ? "\(type)=\($0)\n" : nil }
        }
        if kept.isEmpty {
            try UserFiles.remove(locations.previousHandlers)
        } else {
            try UserFiles.replace(locations.previousHandlers, with: kept.joined())
        }
    }

    /// A desktop id as `xdg-mime default` takes it: a file name ending in `.desktop`.
    static func isDesktopID(_ id: String) -> Bool {
        id.hasSuffix(".desktop") && id.count <= 255 && !id.hasPrefix("-")
            && id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-+".unicodeScalars.contains($0)) }
    }
}

extension String {
    /// The string padded with spaces to `width`.
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
