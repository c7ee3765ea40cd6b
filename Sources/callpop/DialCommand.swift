import ArgumentParser
import CallPopConfig
import CallPopCore
import CallPopDBus
import CallPopPlatform
import CallPopRuntime
import CallPopSetup
import Logging

extension CallPop {
    /// `callpop dial NUMBER|URI`: place a call.
    struct Dial: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place a call: a typed number, a tel:/callto:/sip: link, or the selected number.",
            discussion: """
                Your phone rings first; when you answer, the PBX dials the number. The running agent \
                places the call on its PBX session; without one, callpop dial connects by itself. \
                Calls from links (the tel: handler) and from the selection ask first with a \
                notification (Call / Cancel) unless [dial] confirm = false. See docs/dial.md.
                """)

        @Argument(help: "A number (+44 20 7123 4567, 201) or a tel:, callto:, sip: or sips: URI.")
        var number: String?

        @Flag(help: "Print the number as it would be dialled and how; place nothing.")
        var dryRun = false

        @Flag(help: "Print the result as JSON.")
        var json = false

        @Flag(help: "Dial the first phone number in the primary selection.")
        var selection = false

        @Flag(help: "Dial the first phone number on the clipboard.")
        var clipboard = false

        @OptionGroup var common: CommonOptions

        func validate() throws {
            let sources = [number != nil, selection, clipboard].filter { $0 }.count
            guard sources == 1 else { throw ValidationError("give one number or URI, or --selection, or --clipboard") }
        }

        func run() async throws {
            let logger = common.makeLogger()
            let environment = ProcessEnvironment.current
            guard let configuration = ConfigurationReport.load(explicitFile: common.config, environment: environment) else {
                throw ExitCode(78)
            }
            // Only the configuration's own [dial] decides; the agent's session is reached below.
            guard let dialer = Dialer(configuration: configuration, ami: nil, environment: environment) else {
                StandardStreams.err("callpop dial: the [dial] settings have errors (see callpop check)")
                throw ExitCode(78)
            }
            let (input, fromOutside) = try readInput(environment)
            let planned: PlannedDial
            do throws(DialError) {
                planned = try dialer.plan(input)
            } catch {
                try await finish(DialResult(path: nil, number: "", succeeded: false, message: "not dialled: \(error.message)"), notify: fromOutside)
                return
            }
            let path = dialer.settings.path(amiAvailable: Dialer.usesAMI(configuration))
            if dryRun {
                let lines = dialer.describe(planned, path: path)
                if json {
                    var w = JSONObjectWriter()
                    w.add("number", planned.number)
                    w.add("kind", planned.kind.rawValue)
                    w.add("e164", ifPresent: planned.e164)
                    w.add("extension", ifPresent: planned.remoteExtension)
                    w.add("path", path?.rawValue ?? "")
                    w.add("action", lines)
                    w.add("confirm", fromOutside && dialer.settings.confirm)
                    StandardStreams.out(w.json)
                } else {
                    StandardStreams.out("would dial \(planned.summary)")
                    for line in lines { StandardStreams.out("through \(line)") }
                }
                return
            }
            let bus = try? await DBusConnection.connect()
            defer { bus?.close() }
            if fromOutside, dialer.settings.confirm {
                guard let bus else {
                    StandardStreams.err("callpop dial: not dialled: no session bus to ask on (set [dial] confirm = false to dial links without asking)")
                    throw ExitCode(1)
                }
                let details = planned.summary + (planned.input.source == .typed ? "" : "\nfrom \(planned.input.source.rawValue) link")
                switch await DialConfirmation(connection: bus).ask(number: planned.number, details: details) {
                case .call: break
                case .cancel:
                    StandardStreams.err("callpop dial: cancelled; nothing was dialled")
                    throw ExitCode(1)
                case .cannotAsk(let why):
                    StandardStreams.err("callpop dial: not dialled: \(why) (set [dial] confirm = false to dial links without asking)")
                    throw ExitCode(1)
                }
            }
            let result = await place(input, planned, configuration: configuration, bus: bus, logger: logger, environment: environment)
            try await finish(result, notify: true, bus: bus)
        }

        /// The text to dial, and whether it came from outside (a link or the selection).
        private func readInput(_ environment: [String: String]) throws -> (String, Bool) {
            guard selection || clipboard else {
                let text = number ?? ""
                let isLink = DialInput.schemes.contains { text.lowercased().hasPrefix($0 + ":") }
                return (text, isLink)
            }
            let text: String
            do throws(SetupError) {
                text = try SelectionReader.read(selection ? .primary : .clipboard, environment: environment)
            } catch {
                StandardStreams.err("callpop dial: \(error.message)")
                throw ExitCode(1)
            }
            do throws(DialError) {
                // The number as found, dialled as typed: the plan reads it again.
                return (try NumberFinder.firstNumber(in: text).display, true)
            } catch {
                StandardStreams.err("callpop dial: not dialled: \(error.message)")
                throw ExitCode(1)
            }
        }

        /// Through the running agent's session, or by itself when no agent runs.
        private func place(
            _ input: String, _ planned: PlannedDial, configuration: Configuration, bus: DBusConnection?, logger: Logger,
            environment: [String: String]
        ) async -> DialResult {
            if let bus {
                let wait = (configuration.dial?.ringTimeout ?? .seconds(30)) + .seconds(60)
                do throws(DBusError) {
                    return DialResult(try await AgentBusClient(connection: bus).dial(input, timeout: wait))
                } catch where error.code == .notRunning {
                    logger.debug("no agent runs: dialling on a connection of our own")
                } catch {
                    return DialResult(path: nil, number: planned.number, succeeded: false, message: "not dialled: \(error.message)")
                }
            }
            return await OneShotDial.place(planned, configuration: configuration, environment: environment, logger: logger)
        }

        /// Prints the result (and shows it as a notification); exit 1 unless it succeeded.
        private func finish(_ result: DialResult, notify: Bool, bus: DBusConnection? = nil) async throws {
            if json { StandardStreams.out(result.json) } else if result.succeeded { StandardStreams.out(result.message) }
            if !result.succeeded, !json { StandardStreams.err("callpop dial: \(result.message)") }
            if notify {
                let connection: DBusConnection? = if let bus { bus } else { try? await DBusConnection.connect() }
                if let connection {
                    await DialConfirmation(connection: connection).tell(
                        summary: result.succeeded ? "Calling \(result.number)" : "Call not placed", body: result.message,
                        succeeded: result.succeeded)
                    if bus == nil { connection.close() }
                }
            }
            if !result.succeeded { throw ExitCode(1) }
        }
    }
}
