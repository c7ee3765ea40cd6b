import CallPopSIP
import CallPopTestSupport

/// The recorded NOTIFYs of one fixture file, framed by Content-Length as a stream.
func recordedNotifies(_ relativePath: String) throws -> [SIPMessage] {
    var framer = SIPStreamFramer()
    framer.append(try Fixtures.bytes(relativePath))
    var messages: [SIPMessage] = []
    while let message = try framer.nextMessage() { messages.append(message) }
    return messages
}

/// Every recorded dialog-event file, relative to `Tests/Fixtures`.
let recordedDialogFiles = [
    "asterisk-22/inbound-answered/dialog-201.txt", "asterisk-22/inbound-missed/dialog-201.txt",
    "asterisk-22/outbound-answered/dialog-201.txt", "asterisk-22/internal-colleague/dialog-201.txt",
    "asterisk-22/internal-colleague/dialog-202.txt",
    "kamailio-5.6/inbound-answered/dialog-201.txt", "kamailio-5.6/inbound-missed/dialog-201.txt",
    "kamailio-5.6/outbound-answered/dialog-201.txt", "kamailio-5.6/internal-colleague/dialog-201.txt",
    "kamailio-5.6/internal-colleague/dialog-202.txt",
]

