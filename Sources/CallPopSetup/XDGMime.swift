internal import CallPopCore
internal import CallPopLaunch

/// The desktop's default applications, through `xdg-mime` (xdg-utils): the same answer
/// `xdg-open` acts on, on GNOME, KDE and any other desktop.
struct XDGMime: Sendable {
    /// The environment `xdg-mime` runs with (HOME, the XDG variables, PATH, the desktop's).
    var environment: [String: String]

    /// The desktop id of the default handler of `mimeType`, or `nil` for none.
    func defaultHandler(for mimeType: String) throws(SetupError) -> String? {
        let id = try run(["query", "default", mimeType]).text.trimmed
        return id.isEmpty ? nil : id
    }

    /// Makes `desktopID` the default handler of each of `mimeTypes`.
    func setDefault(_ desktopID: String, for mimeTypes: [String]) throws(SetupError) {
        _ = try run(["default", desktopID] + mimeTypes)
    }

    private func run(_ arguments: [String]) throws(SetupError) -> ProgramOutput.Result {
        let result: ProgramOutput.Result
        do {
            result = try ProgramOutput.run(["xdg-mime"] + arguments, environment: environment)
        } catch {
            throw SetupError(.toolMissing, "cannot run xdg-mime (\(error.message)); install xdg-utils")
        }
        guard result.outcome.succeeded else {
            throw SetupError(.toolFailed, "xdg-mime \(arguments.joined(separator: " ")) \(result.outcome.summary)")
        }
        return result
    }
}
