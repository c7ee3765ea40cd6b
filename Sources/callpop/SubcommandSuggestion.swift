import ArgumentParser
import CallPopCore

/// `callpop chek` → `callpop: unknown command 'chek'; did you mean 'check'?` instead of the
/// parser's "Unexpected argument". Looks only at the words that select subcommands: the
/// first word that is not an option, under a command that has subcommands and no
/// arguments of its own.
enum SubcommandSuggestion {
    /// The message for an unknown subcommand in `arguments`, or nil when they name known ones.
    static func message(for arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [root._commandName]
        for word in arguments {
            if word.hasPrefix("-") { return nil }  // options (and --help, --version) are the parser's
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            let names = subcommands.map { $0._commandName } + ["help"]
            guard let next = subcommands.first(where: { $0._commandName == word }) else {
                if word == "help" { return nil }
                let hint = Suggestion.phrase(
                    for: word, among: names, otherwise: "; commands: \(names.dropLast().joined(separator: ", "))")
                return "\(path.joined(separator: " ")): unknown command '\(word)'\(hint) (see `\(path.joined(separator: " ")) --help`)"
            }
            command = next
            path.append(word)
        }
        return nil
    }
}
