internal import CallPopCore
internal import Glibc

/// The commented configuration `callpop init` writes, and the annotated example the
/// package installs (the same text with the sample popups switched on), so the two
/// never drift apart.
public struct StarterConfiguration: Sendable, Hashable {
    /// The user's own extension, `[user] number`.
    public var number: String
    /// The user's name, `[user] name`; may be empty.
    public var name: String
    /// Whether the sample popups are active (the installed example) or commented out (`init`).
    public var examplesActive: Bool

    /// Creates a starter for `number` and `name`.
    public init(number: String, name: String, examplesActive: Bool = false) {
        self.number = number
        self.name = name
        self.examplesActive = examplesActive
    }

    /// The file's text.
    public var text: String {
        let rule = examplesActive ? "" : "# "
        return """
            # callpop configuration: see callpop.toml(5) for every key and its default.
            # Check it with `callpop check`; try it without a PBX with
            #   callpop simulate --direction incoming --number +442071234567 --name "John Doe"
            # A running agent re-reads this file on SIGHUP (systemctl --user reload callpop).

            [user]
            # Your own extension: it becomes {USERNUM}, finds your calls on the PBX, and tells
            # colleagues (numbers as long as this one) from outside callers.
            number = \(Self.quoted(number))
            # Your name: {USERNAME}.
            name = \(Self.quoted(name))
            # Your country calling code, for the {CALLERNUM:e164} and {CALLERNUM:national} forms.
            # country_code = "44"
            # national_prefix = "0"
            # international_prefix = "00"

            # Where calls come from. Without [pbx], `callpop run` needs --events FILE.
            # [pbx]
            # source = "ami"                      # Asterisk Manager Interface
            # url = "ami://pbx.example.com:5038"  # amis://host:5039 for TLS
            # username = "callpop-\(number)"
            # password_file = "/home/you/.config/callpop/pbx-password"  # mode 600; or $CALLPOP_PBX_PASSWORD
            #
            # source = "sip"                      # SIP dialog events (BLF) with your own SIP account
            # uri = "sip:\(number)@pbx.example.com"
            # transport = "udp"                   # udp, tcp or tls
            #
            # source = "events"                   # NDJSON call events from a file or FIFO
            # path = "/run/user/1000/callpop-events"

            # Who counts as a colleague: automatic popups never open for colleagues' calls.
            # [colleagues]
            # numbers = ["2??", "+44207946*"]     # ? one character, X one digit, * any run
            # same_length_as_user = true

            # How popups are opened.
            # [launch]
            # opener = "xdg-open"
            # url_schemes = ["http", "https"]
            # max_per_minute = 10
            # portal = "auto"                     # auto, always or never

            # The notification shown for calls, with one button per on-click popup.
            # [notifications]
            # enabled = true
            # phases = ["ringing", "answered", "missed"]
            # icon = "call-start"          # default: the best an installed icon theme has

            # Popups. trigger: ringing (incoming), call-generation (outgoing), answer, on-click.
            # Variables: {CALLERNUM} {CALLERNAME} {USERNUM} {USERNAME} {CALLTYPE} {TAGS}
            # {CHANNEL} {CALLEDNUM} {CALLID}; {CALLERNUM:3} drops the first 3 characters,
            # {CALLERNUM:e164}, {CALLERNUM:national}, {CALLERNUM:digits} reformat the number.
            # Values are percent-encoded in URLs; an app gets each word as one argument.
            \(rule)[[popup]]
            \(rule)name = "CRM contact"
            \(rule)direction = "incoming"
            \(rule)trigger = "ringing"
            \(rule)url = "https://crm.example.com/contacts/search?phone={CALLERNUM:e164}&name={CALLERNAME}"

            \(rule)[[popup]]
            \(rule)name = "New ticket"
            \(rule)direction = "any"
            \(rule)trigger = "on-click"
            \(rule)url = "https://desk.example.com/tickets/new?To={CALLERNAME}&From={CALLERNUM}"

            \(rule)[[popup]]
            \(rule)name = "Call log"
            \(rule)direction = "outgoing"
            \(rule)trigger = "call-generation"
            \(rule)app = "logger -t callpop 'calling {CALLERNUM}'"

            """
    }

    /// `value` as a TOML basic string: JSON's string escapes are TOML's too.
    static func quoted(_ value: String) -> String {
        var out = ""
        JSONObjectWriter.appendString(value, to: &out)
        return out
    }

    /// Writes the file to `path` (directory mode 700, file mode 600); an existing file is
    /// kept unless `force`.
    public func write(to path: String, force: Bool) throws(SetupError) {
        let absolute = UserFiles.absolute(path)
        let directory = UserFiles.parent(absolute)
        try UserFiles.makeDirectories(directory, mode: 0o700)
        // The user's own callpop directory may hold password files: keep it private, even
        // when it existed. Any other directory (/tmp, a shared /etc/xdg/callpop) is left alone.
        if Self.isPrivateConfigurationDirectory(directory), chmod(directory, 0o700) != 0 {
            throw SetupError("restrict permissions of", directory)
        }
        try UserFiles.write(text, to: absolute, mode: 0o600, replace: force)
    }

    /// A directory named `callpop` that the current user owns, outside `/etc` (system-wide
    /// defaults there must stay readable by every user).
    static func isPrivateConfigurationDirectory(_ directory: String) -> Bool {
        var st = stat()
        guard directory.split(separator: "/").last == "callpop", stat(directory, &st) == 0, st.st_uid == getuid() else {
            return false
        }
        return !directory.hasPrefix("/etc/")
    }

    /// The name in the passwd entry of the current user: the GECOS field up to its first comma.
    public static func accountName() -> String {
        guard let entry = getpwuid(getuid()), let gecos = entry.pointee.pw_gecos else { return "" }
        var name = String(cString: gecos).split(separator: ",", omittingEmptySubsequences: false).first ?? ""
        while name.first == " " { name.removeFirst() }
        while name.last == " " { name.removeLast() }
        return String(name)
    }
}
