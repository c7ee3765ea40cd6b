public import ArgumentParser
import CallPopSetup
import CallPopPlatform

extension CallPop {
    /// `callpop autostart`: start callpop at every login.
    struct Autostart: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start callpop at every login, or stop doing so.",
            discussion: """
                Uses the systemd user unit callpop.service where the session reaches \
                graphical-session.target (GNOME, KDE Plasma), and the XDG autostart entry \
                ~/.config/autostart/callpop.desktop elsewhere (Xfce, MATE, i3, ...); never both. \
                `callpop autostart status` says which and why.
                """,
            subcommands: [Enable.self, Disable.self, Status.self])

        /// The tool for the current user.
        static func tool() -> CallPopSetup.Autostart {
            let environment = ProcessEnvironment.current
            return CallPopSetup.Autostart(
                locations: AutostartLocations(environment: environment),
                manager: SystemctlUserManager(environment: environment), environment: environment)
        }

        /// Prints the lines of a completed step, or the error and exit 1.
        static func report(_ body: () throws(SetupError) -> [String]) throws {
            do {
                for line in try body() { StandardStreams.out(line) }
            } catch {
                StandardStreams.err("callpop autostart: \(error.message)")
                throw ExitCode(1)
            }
        }

        /// `callpop autostart enable`.
        struct Enable: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Start callpop at every login (and now, with the systemd unit).")

            @Option(help: ArgumentHelp("systemd or xdg (default: the one that starts on this desktop; see status).", valueName: "method"))
            var method: AutostartMethod?

            @Flag(inversion: .prefixedNo, help: "Start the systemd service now (default), or with --no-now at the next login only.")
            var now = true

            @Option(name: .shortAndLong, help: ArgumentHelp("Check this configuration file instead of the XDG files.", valueName: "file"))
            var config: String?

            func run() throws {
                // An agent that cannot run would fail at every login where nobody sees it: refuse now.
                guard let configuration = ConfigurationReport.load(explicitFile: config, environment: ProcessEnvironment.current) else {
                    StandardStreams.err("callpop autostart: not enabled: fix the configuration first (callpop check), then run this again")
                    throw ExitCode(1)
                }
                if let refusal = CallPopSetup.Autostart.refusal(for: configuration) {
                    StandardStreams.err("callpop autostart: not enabled: \(refusal)")
                    throw ExitCode(1)
                }
                try Autostart.report { () throws(SetupError) in try Autostart.tool().enable(method, now: now) }
            }
        }

        /// `callpop autostart disable`.
        struct Disable: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Stop starting callpop at login.")

            @Flag(inversion: .prefixedNo, help: "Stop the running service now (default), or with --no-now let it run until logout.")
            var now = true

            func run() throws {
                try Autostart.report { () throws(SetupError) in try Autostart.tool().disable(now: now) }
            }
        }

        /// `callpop autostart status`.
        struct Status: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show how callpop is started; exits 0 when exactly one method is enabled.")

            func run() throws {
                let status = Autostart.tool().status()
                for line in status.lines { StandardStreams.out(line) }
                if !status.isEnabled { throw ExitCode(1) }
            }
        }
    }
}

extension AutostartMethod: ExpressibleByArgument {}
