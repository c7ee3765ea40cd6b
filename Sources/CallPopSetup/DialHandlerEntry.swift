/// The desktop entry that makes callpop a handler of `tel:`, `callto:` and `sip:` links
/// (`packaging/callpop-dial.desktop`, installed in `/usr/share/applications`): links run
/// `callpop dial URI`, the URI as one argument (`%u`), never through a shell.
public enum DialHandlerEntry {
    /// The entry's file name, which is also its desktop id.
    public static let fileName = "callpop-dial.desktop"
    /// The URI schemes it handles.
    public static let schemes = ["tel", "callto", "sip"]
    /// Their MIME types, `x-scheme-handler/tel`, ...
    public static let mimeTypes = schemes.map { "x-scheme-handler/" + $0 }

    /// The entry's text. The package's runs `callpop` from PATH; a user's copy (made by
    /// `callpop handler enable` when no entry is installed) runs the absolute path given.
    public static func text(executable: String = "callpop") throws(SetupError) -> String {
        let program = try execArgument(executable)
        return """
            [Desktop Entry]
            Type=Application
            Version=1.4
            Name=callpop dialler
            GenericName=Click-to-dial
            Comment=Place calls from tel:, callto: and sip: links through your PBX
            Exec=\(program) dial %u
            TryExec=\(executable)
            Icon=call-start
            Terminal=false
            NoDisplay=true
            MimeType=\(mimeTypes.map { $0 + ";" }.joined())
            Categories=Network;Telephony;

            """
    }

    /// `path` as the first word of `Exec=`: as it is when plain, in double quotes when it
    /// has a space or another character the Desktop Entry Specification reserves.
    /// Characters that would need escapes there (`"` `` ` `` `$` `\` `%`) and control
    /// characters are refused rather than escaped.
    static func execArgument(_ path: String) throws(SetupError) -> String {
        guard path == "callpop" || path.hasPrefix("/") else {
            throw SetupError(.invalidExecutable, "the callpop executable must be an absolute path")
        }
        let refused = path.unicodeScalars.contains {
            "\"`$\\%".unicodeScalars.contains($0) || $0.properties.generalCategory == .control || $0 == "="
        }
        guard !refused else {
            throw SetupError(.invalidExecutable, "the path of the callpop executable has a character a desktop entry cannot hold; move callpop elsewhere")
        }
        let reserved = " \t'><~|&;*?#()".unicodeScalars
        return path.unicodeScalars.contains(where: reserved.contains) ? "\"\(path)\"" : path
    }
}
