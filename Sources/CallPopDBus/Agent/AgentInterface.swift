/// The agent's control interface on the session bus.
public enum AgentInterface {
    /// The well-known name the running agent owns.
    public static let busName = "io.github.callpop.Agent"
    /// The agent's object.
    public static let objectPath = "/io/github/callpop/Agent"
    /// The control interface.
    public static let interface = "io.github.callpop.Agent1"

    /// Error names the agent replies with.
    public enum ErrorName {
        /// `Reload` found errors in the configuration; the message lists them.
        public static let reloadFailed = "io.github.callpop.Agent1.Error.ReloadFailed"
        /// `Open` could not run the rule; the message says why.
        public static let openFailed = "io.github.callpop.Agent1.Error.OpenFailed"
        /// `Status` could not be produced.
        public static let statusFailed = "io.github.callpop.Agent1.Error.StatusFailed"
        /// `Dial` refused the number before placing anything; the message says why.
        public static let dialFailed = "io.github.callpop.Agent1.Error.DialFailed"
    }

    /// Introspection data for `io.github.callpop.Agent1`.
    public static let introspectionXML = DBusIntrospection.header + """
        <node>
          <interface name="io.github.callpop.Agent1">
            <!-- JSON: version, config path, PBX connection state, active calls. -->
            <method name="Status">
              <arg name="status" type="s" direction="out"/>
            </method>
            <!-- Re-reads the configuration. A bad one is rejected with its
                 errors (io.github.callpop.Agent1.Error.ReloadFailed) and the
                 old one stays active. -->
            <method name="Reload"/>
            <!-- Runs an on-click rule (by id or name) for the most recent live call. -->
            <method name="Open">
              <arg name="rule" type="s" direction="in"/>
            </method>
            <!-- Runs an on-click rule for a call: its id, "last" or "last-missed",
                 also a call that is over (from the call history). -->
            <method name="OpenCall">
              <arg name="rule" type="s" direction="in"/>
              <arg name="call" type="s" direction="in"/>
            </method>
            <!-- Places a call (a number or a tel:, callto:, sip: URI) through the
                 agent's PBX session, HTTP API or program, and returns the result
                 once known (for AMI: when your phone answered or failed): whether
                 the call is on its way, the number as dialled, the path (ami, http,
                 app), a sentence for the user, and the call's id on the PBX. A
                 refused number is an io.github.callpop.Agent1.Error.DialFailed. -->
            <method name="Dial">
              <arg name="number" type="s" direction="in"/>
              <arg name="succeeded" type="b" direction="out"/>
              <arg name="dialled" type="s" direction="out"/>
              <arg name="path" type="s" direction="out"/>
              <arg name="message" type="s" direction="out"/>
              <arg name="call" type="s" direction="out"/>
            </method>
            <!-- One decision record (JSON) per rule evaluation. -->
            <signal name="Decision">
              <arg name="json" type="s"/>
            </signal>
          </interface>
          <interface name="org.freedesktop.DBus.Introspectable">
            <method name="Introspect">
              <arg name="xml_data" type="s" direction="out"/>
            </method>
          </interface>
          <interface name="org.freedesktop.DBus.Peer">
            <method name="Ping"/>
            <method name="GetMachineId">
              <arg name="machine_uuid" type="s" direction="out"/>
            </method>
          </interface>
        </node>

        """
}
