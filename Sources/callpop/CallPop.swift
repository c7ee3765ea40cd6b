import ArgumentParser
import CallPopCore
import CallPopRuntime
import CallPopSetup
import CallPopPlatform

/// `callpop`: opens the right CRM page or application when a phone call rings,
/// is placed or is answered.
struct CallPop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callpop",
        abstract: "Open the right CRM page or application when a phone call rings, is placed or is answered.",
        discussion: """
            callpop follows your calls on the PBX (Asterisk AMI, SIP dialog events, or an NDJSON \
            event stream) and opens web pages or programs according to your popup rules in \
            ~/.config/callpop/config.toml. See callpop(1) and callpop.toml(5).
            """,
        version: Version.string,
        subcommands: [
            Run.self, Check.self, Simulate.self, Demo.self, Init.self, Autostart.self, Status.self, Reload.self, Open.self,
            History.self, Doctor.self, Dial.self, Handler.self, Lookup.self,
        ],
        defaultSubcommand: nil)
}
