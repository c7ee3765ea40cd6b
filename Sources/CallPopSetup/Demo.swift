public import CallPopCore

/// The built-in sample for `callpop demo`: a configuration and a few calls that show
/// what callpop does before the user configures anything.
public enum Demo {
    /// A sample configuration for user 201 "Alice Agent" in the UK.
    public static let configuration = """
        [user]
        number = "201"
        name = "Alice Agent"
        country_code = "44"

        [[popup]]
        name = "CRM contact"
        direction = "incoming"
        trigger = "ringing"
        url = "https://crm.example.com/contacts/search?phone={CALLERNUM:e164}&name={CALLERNAME}"

        [[popup]]
        name = "Solve360 lookup"
        direction = "incoming"
        trigger = "answer"
        url = "https://secure.solve360.com/contact/phonenumber/0{CALLERNUM:3}"

        [[popup]]
        name = "Call log"
        direction = "outgoing"
        trigger = "call-generation"
        app = "logger -t callpop-demo 'calling {CALLERNUM:national} for {USERNAME}'"

        [[popup]]
        name = "New ticket"
        direction = "any"
        trigger = "on-click"
        url = "https://desk.example.com/tickets/new?To={CALLERNAME}&Subject=New%20Ticket%20from%20{USERNAME}&From={CALLERNUM}"
        """

    /// One step of the demo: what happens, and the event that says so.
    public struct Step: Sendable {
        /// A sentence for the reader.
        public var caption: String
        /// The event.
        public var event: CallEvent
    }

    /// The sample calls: an external caller (rings, answered, ends), an outgoing call, a colleague.
    public static let steps: [Step] = [
        Step(caption: "John Doe (+44 20 7123 4567) calls the sales line 5550100; Alice's phone rings",
             event: CallEvent(callID: "demo-1", state: .ringing, direction: .incoming, remoteNumber: "+442071234567",
                              remoteName: "John Doe", calledNumber: "5550100", channel: "PJSIP/201-00000001")),
        Step(caption: "The PBX repeats the ringing state (forked ringing): nothing opens twice",
             event: CallEvent(callID: "demo-1", state: .ringing, direction: .incoming, remoteNumber: "+442071234567",
                              remoteName: "John Doe", calledNumber: "5550100")),
        Step(caption: "Alice answers",
             event: CallEvent(callID: "demo-1", state: .answered, direction: .incoming, remoteNumber: "+442071234567")),
        Step(caption: "The caller hangs up",
             event: CallEvent(callID: "demo-1", state: .ended, direction: .incoming)),
        Step(caption: "Alice dials 020 7946 0000",
             event: CallEvent(callID: "demo-2", state: .ringing, direction: .outgoing, remoteNumber: "02079460000",
                              calledNumber: "02079460000")),
        Step(caption: "Bob Builder (extension 202, a colleague) calls Alice: automatic popups stay closed",
             event: CallEvent(callID: "demo-3", state: .ringing, direction: .incoming, remoteNumber: "202",
                              remoteName: "Bob Builder", calledNumber: "201")),
    ]
}
