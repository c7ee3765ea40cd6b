internal import CallPopLaunch
internal import CallPopCore

/// Reads the text of the primary selection or the clipboard for `callpop dial --selection`,
/// with the desktop's own tools: `wl-paste` on Wayland, `xclip` or `xsel` on X11. Each runs
/// through `ProgramOutput` (argv, never a shell); the first that works gives the text.
public enum SelectionReader {
    /// Which selection.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// The primary selection: the text last selected, in any application.
        case primary
        /// The clipboard: the text last copied.
        case clipboard
    }

    /// The most bytes of selected text read (the number finder reads far less).
    public static let maxBytes = 64 * 1024

    /// The commands to try, in order, for the session `environment` describes.
    public static func commands(_ source: Source, environment: [String: String]) -> [[String]] {
        let primary = source == .primary
        var commands: [[String]] = []
        if !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty {
            commands.append(["wl-paste", "--no-newline", "--type", "text"] + (primary ? ["--primary"] : []))
        }
        if !(environment["DISPLAY"] ?? "").isEmpty {
            commands.append(["xclip", "-o", "-selection", primary ? "primary" : "clipboard"])
            commands.append(["xsel", "--output", primary ? "--primary" : "--clipboard"])
        }
        return commands
    }

    /// The selected text.
    /// - Throws: `SetupError` `.toolMissing` when no tool runs here, `.toolFailed` when none could read it.
    public static func read(_ source: Source, environment: [String: String]) throws(SetupError) -> String {
        let commands = commands(source, environment: environment)
        guard !commands.isEmpty else {
            throw SetupError(.toolMissing, "no graphical session (neither WAYLAND_DISPLAY nor DISPLAY is set): there is no \(source.rawValue) selection to read")
        }
        var problems: [String] = []
        for argv in commands {
            do {
                let result = try ProgramOutput.run(argv, environment: environment, maxBytes: maxBytes)
                if result.outcome.succeeded { return String(decoding: result.output, as: UTF8.self) }
                problems.append("\(argv[0]) \(result.outcome.summary)")
            } catch {
                problems.append(error.message)
            }
        }
        let tools = commands.map { $0[0] }.joined(separator: " or ")
        throw SetupError(.toolFailed, "cannot read the \(source.rawValue) selection with \(tools): \(problems.joined(separator: "; ")) (install wl-clipboard on Wayland, xclip or xsel on X11)")
    }
}
