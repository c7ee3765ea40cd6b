/// The SIP dialog of an established subscription (RFC 6665 4.1.2.4, RFC 3261 12).
struct SubscriptionDialog: Sendable, Hashable {
    let callID: String
    let localTag: String
    var remoteTag: String
    /// Where in-dialog requests go (the notifier's Contact).
    var remoteTarget: String
    /// Route headers for in-dialog requests, in sending order.
    var routeSet: [String]
    /// The last CSeq received from the notifier, to spot retransmitted NOTIFYs.
    var remoteCSeq: UInt32?

    /// Builds the dialog from the first NOTIFY (as its UAS: Record-Route in order).
    static func fromNotify(_ notify: SIPMessage, callID: String, localTag: String, fallbackTarget: String) -> SubscriptionDialog? {
        guard let from = notify.header("From").flatMap(SIPAddress.init), let remoteTag = from.tag else { return nil }
        return SubscriptionDialog(
            callID: callID, localTag: localTag, remoteTag: remoteTag,
            remoteTarget: contactURI(notify) ?? fallbackTarget,
            routeSet: notify.listValues("Record-Route"), remoteCSeq: nil)
    }

    /// Builds the dialog from a 2xx to SUBSCRIBE (as its UAC: Record-Route reversed).
    static func fromResponse(_ response: SIPMessage, callID: String, localTag: String, fallbackTarget: String) -> SubscriptionDialog? {
        guard let to = response.header("To").flatMap(SIPAddress.init), let remoteTag = to.tag else { return nil }
        return SubscriptionDialog(
            callID: callID, localTag: localTag, remoteTag: remoteTag,
            remoteTarget: contactURI(response) ?? fallbackTarget,
            routeSet: response.listValues("Record-Route").reversed(), remoteCSeq: nil)
    }

    /// The URI of the first Contact, if any.
    static func contactURI(_ message: SIPMessage) -> String? {
        message.listValues("Contact").first.flatMap(SIPAddress.init)?.uri.raw
    }
}

/// Builds the responses this client sends (RFC 3261 8.2.6).
public enum SIPResponder {
    /// A response to `request` copying Via, From, To, Call-ID and CSeq.
    public static func response(to request: SIPMessage, status: Int, reason: String, extraHeaders: [SIPHeader] = []) -> SIPMessage {
        var headers: [SIPHeader] = []
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            headers += request.headerValues(name).map { SIPHeader(name, $0) }
        }
        return SIPMessage(startLine: .response(statusCode: status, reason: reason), headers: headers + extraHeaders)
    }

    /// What to answer a request no subscription claims: 481 for NOTIFY (unknown
    /// subscription, RFC 6665 4.1.3), 200 for OPTIONS, nothing for ACK, 405 otherwise.
    public static func responseToStray(_ request: SIPMessage) -> SIPMessage? {
        switch request.method?.uppercased() {
        case "ACK", nil: nil
        case "NOTIFY": response(to: request, status: 481, reason: "Subscription Does Not Exist")
        case "OPTIONS": response(to: request, status: 200, reason: "OK", extraHeaders: [SIPHeader("Allow", "NOTIFY, OPTIONS")])
        default: response(to: request, status: 405, reason: "Method Not Allowed", extraHeaders: [SIPHeader("Allow", "NOTIFY, OPTIONS")])
        }
    }
}
