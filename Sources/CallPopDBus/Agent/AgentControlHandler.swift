/// What the agent does when asked over the bus. The runtime implements it.
public protocol AgentControlHandler: Sendable {
    /// The agent's status as a JSON object (version, config path, PBX connection state, active calls).
    func status() async throws -> String
    /// Re-reads the configuration. Throw `DBusError` with code `.refused` and the
    /// configuration's errors to reject it; the old configuration must stay active.
    func reload() async throws
    /// Runs the on-click rule `rule` for the most recent live call.
    func open(rule: String) async throws
    /// Runs the on-click rule `rule` for the call `call` names: an id, `last` or
    /// `last-missed`, also when it is over (from the history).
    func open(rule: String, call: String) async throws

    /// Places a call to `number` (a number or a `tel:`/`callto:`/`sip:` URI, already
    /// confirmed by the caller) and returns the result. Throw `DBusError` with code
    /// `.refused` when it is refused before anything is placed (bad number, deny rule).
    func dial(_ number: String) async throws -> AgentDialReply
}

/// The answer to `Dial`: `(b succeeded, s number, s path, s message, s call)` on the bus.
public struct AgentDialReply: Sendable, Hashable {
    /// Whether the call is on its way.
    public var succeeded: Bool
    /// The number as dialled.
    public var number: String
    /// `ami`, `http` or `app`.
    public var path: String
    /// One sentence for the user.
    public var message: String
    /// The placed call's id on the PBX, or empty.
    public var callID: String

    /// Creates a reply.
    public init(succeeded: Bool, number: String, path: String, message: String, callID: String) {
        self.succeeded = succeeded
        self.number = number
        self.path = path
        self.message = message
        self.callID = callID
    }

    var arguments: [DBusValue] { [.bool(succeeded), .string(number), .string(path), .string(message), .string(callID)] }

    init?(_ arguments: [DBusValue]) {
        guard arguments.count == 5, case .bool(let succeeded) = arguments[0], let number = arguments[1].string,
            let path = arguments[2].string, let message = arguments[3].string, let callID = arguments[4].string
        else { return nil }
        self.init(succeeded: succeeded, number: number, path: path, message: message, callID: callID)
    }
}

extension AgentControlHandler {
    /// Handlers without a call history open rules for live calls only.
    public func open(rule: String, call: String) async throws {
        throw DBusError(.refused, "this agent opens rules for its live calls only")
    }

    /// Handlers that cannot place calls refuse.
    public func dial(_ number: String) async throws -> AgentDialReply {
        throw DBusError(.refused, "this agent does not place calls")
    }
}
