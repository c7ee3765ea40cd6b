import ArgumentParser
import CallPopConfig
import CallPopRuntime
import CallPopSetup
import CallPopPlatform
import Glibc

extension CallPop {
    /// `callpop init`: writes a commented starter configuration for this user.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a commented starter configuration to ~/.config/callpop/config.toml.",
            discussion: """
                Fills [user] from --number and --name; the name defaults to the one in your \
                account (passwd), and the number is asked for when stdin is a terminal. The file \
                is created with mode 600 in a directory with mode 700 and checked like \
                `callpop check` does. An existing file is kept unless --force is given.
                """)

        @Option(help: ArgumentHelp("Your own extension number, e.g. 201.", valueName: "number"))
        var number: String?

        @Option(help: ArgumentHelp("Your name (default: the name in your account).", valueName: "name"))
        var name: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("Write this file instead of $XDG_CONFIG_HOME/callpop/config.toml.", valueName: "file"))
        var config: String?

        @Flag(help: "Replace an existing file.")
        var force = false

        @Flag(help: "Print the configuration on stdout instead of writing a file.")
        var stdout = false

        @Flag(help: "Switch the sample popups on (this is how the installed example is made).")
        var examples = false

        func run() throws {
            let environment = ProcessEnvironment.current
            guard let number = try self.number ?? askNumber() else {
                StandardStreams.err("callpop init: your extension number is needed: pass --number 201 (or run it in a terminal)")
                throw ExitCode(1)
            }
            let starter = StarterConfiguration(
                number: number, name: name ?? StarterConfiguration.accountName(), examplesActive: examples)
            if stdout {
                StandardStreams.out(starter.text)
                return
            }
            let path = config ?? ConfigurationLocator(environment: environment).userFile
            do {
                try starter.write(to: path, force: force)
            } catch {
                let hint = access(path, F_OK) == 0 && !force ? " (it exists: edit it, or pass --force to replace it)" : ""
                StandardStreams.err("callpop init: \(error.message)\(hint)")
                throw ExitCode(1)
            }
            StandardStreams.out("wrote \(path)")
            guard ConfigurationReport.load(explicitFile: path, environment: environment) != nil else { throw ExitCode(1) }
            StandardStreams.out("""
                Next: set up [pbx] and your popups in that file, check it with `callpop check`, \
                then start callpop at every login with `callpop autostart enable`.
                """)
        }

        /// Asks for the number on a terminal; nil when stdin is not one or the answer is empty.
        private func askNumber() throws -> String? {
            guard isatty(0) == 1 else { return nil }
            StandardStreams.out("Your extension number (as the PBX knows you, e.g. 201): ")
            let answer = (readLine() ?? "").filter { !$0.isWhitespace }
            return answer.isEmpty ? nil : answer
        }
    }
}
