/// Who a directory (`[[directory]]`) says the other party of a call is: what templates get as
/// `{CONTACTNAME}`, `{CONTACTORG}`, `{CONTACTURL}`, `{CONTACTID}` and `{DIRECTORY}`, and what
/// the notification shows above the number.
///
/// The text comes from address books, LDAP servers and CRMs: it is kept cleaned of control
/// characters by whoever read it, and encoded by whoever puts it somewhere, like caller ID.
public struct CallerContact: Sendable, Hashable, Codable {
    /// The name to show.
    public var name: String
    /// The organisation, empty when unknown.
    public var organisation: String
    /// The contact's record (a CRM page), empty when unknown or not on a host the directory
    /// allows (`record_hosts`): a rule may open it as a whole URL.
    public var url: String
    /// The directory's id of the record (vCard `UID`, an LDAP DN, a CRM id).
    public var id: String
    /// The name of the `[[directory]]` entry that knew the caller.
    public var directory: String

    /// Creates a contact.
    public init(name: String, organisation: String = "", url: String = "", id: String = "", directory: String) {
        self.name = name
        self.organisation = organisation
        self.url = url
        self.id = id
        self.directory = directory
    }
}

/// Where caller lookup is for one call.
public enum CallerLookupState: Sendable, Hashable {
    /// No lookup: no directory is configured, or the call has no number to look up.
    case none
    /// A lookup is under way: these rules use the contact and wait for its answer (or the
    /// budget); every other rule has already been decided.
    case waiting([WaitingRule])
    /// The lookup answered or its budget passed: nothing waits any more; a late answer still
    /// updates the contact (and so the notification and the on-click offers).
    case settled

    /// Whether rules that use the contact must wait.
    public var isWaiting: Bool {
        if case .waiting = self { true } else { false }
    }
}

/// A rule decided later, when the caller lookup answers: the rule and the trigger it waits with.
public struct WaitingRule: Sendable, Hashable {
    /// The rule's id.
    public var ruleID: String
    /// The trigger that made it due.
    public var trigger: Trigger

    /// Creates a waiting rule.
    public init(ruleID: String, trigger: Trigger) {
        self.ruleID = ruleID
        self.trigger = trigger
    }
}
