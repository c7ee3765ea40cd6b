import CallPopCore
import CallPopXML

/// Builds a `DialogInfo` from a reader's element events, by local name and depth;
/// `result` is the document once its root element has started.
struct DialogInfoBuilder {
    var result: DialogInfo?
    private var path: [String] = []
    private var dialog: DialogInfo.Dialog?
    private var text = ""
    private var identityDisplay: String?

    mutating func start(_ name: String, _ attributes: [XMLAttribute]) throws(SIPError) {
        path.append(name)
        text = ""
        switch (path.count, name) {
        case (1, "dialog-info"):
            guard let versionText = attributes.value(of: "version"), let version = UInt64(versionText) else {
                throw SIPError(.malformedDialogInfo, "<dialog-info> without a numeric version")
            }
            let completeness = DialogInfo.Completeness(rawValue: attributes.value(of: "state")?.lowercased() ?? "") ?? .full
            result = DialogInfo(version: version, completeness: completeness, entity: attributes.value(of: "entity") ?? "", dialogs: [])
        case (1, _):
            throw SIPError(.malformedDialogInfo, "root element is <\(UntrustedText.clean(name.prefix(40), for: .logLine))>, not <dialog-info>")
        case (2, "dialog"):
            guard let id = attributes.value(of: "id"), !id.isEmpty else { throw SIPError(.malformedDialogInfo, "<dialog> without an id") }
            guard (result?.dialogs.count ?? 0) < DialogInfoParser.maxDialogs else {
                throw SIPError(.malformedDialogInfo, "more than \(DialogInfoParser.maxDialogs) dialogs")
            }
            dialog = DialogInfo.Dialog(
                id: id, callID: attributes.value(of: "call-id"), localTag: attributes.value(of: "local-tag"),
                remoteTag: attributes.value(of: "remote-tag"),
                direction: attributes.value(of: "direction").flatMap { DialogInfo.Direction(rawValue: $0.lowercased()) })
        case (3, "state"):
            dialog?.stateEvent = attributes.value(of: "event")?.lowercased()
            dialog?.stateCode = attributes.value(of: "code").flatMap { Int($0) }
        case (4, "identity"):
            identityDisplay = attributes.value(of: "display").map(UntrustedText.templateValue)
        case (4, "target"):
            updateParticipant { $0.target = attributes.value(of: "uri").map { SIPText.trim($0) } }
        default:
            break
        }
    }

    mutating func characters(_ string: String) {
        guard text.utf8.count < 4096 else { return }
        text += string
    }

    mutating func end(_ name: String) {
        switch (path.count, name) {
        case (2, "dialog"):
            if let dialog { result?.dialogs.append(dialog) }
            dialog = nil
        case (3, "state"):
            dialog?.state = DialogInfo.State(text: text)
        case (4, "identity"):
            let identity = SIPText.trim(text.filter { !$0.isNewline })
            let display = identityDisplay.flatMap { $0.isEmpty ? nil : $0 }
            updateParticipant {
                $0.identity = identity.isEmpty ? nil : identity
                $0.display = display
            }
            identityDisplay = nil
        default:
            break
        }
        path.removeLast()
        text = ""
    }

    private mutating func updateParticipant(_ change: (inout DialogInfo.Participant) -> Void) {
        guard path.count == 4, var current = dialog else { return }
        switch path[2] {
        case "local": change(&current.local)
        case "remote": change(&current.remote)
        default: return
        }
        dialog = current
    }
}
