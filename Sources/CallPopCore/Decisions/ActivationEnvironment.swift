/// The focus a launched program may take. On Wayland a window comes to the front only with
/// an activation token from the compositor (`XDG_ACTIVATION_TOKEN`); on X11 startup
/// notification does the same with `DESKTOP_STARTUP_ID`. A click on a notification comes
/// with such a token from the notification server; an automatic popup never has one, so it
/// does not take the focus from what the user is typing.
public enum ActivationEnvironment {
    /// Variables the agent's own environment may carry (from whatever started it) that no
    /// child may inherit: a stale focus grant, and systemd's socket meant for the agent alone.
    public static let agentOnly: Set<String> = ["XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID", "NOTIFY_SOCKET"]

    /// The environment for a program started by a click that came with `token`.
    /// `wayland`: the session is a Wayland one (`WAYLAND_DISPLAY` is set).
    public static func forClick(token: String, wayland: Bool) -> [String: String] {
        wayland ? ["XDG_ACTIVATION_TOKEN": token] : ["XDG_ACTIVATION_TOKEN": token, "DESKTOP_STARTUP_ID": token]
    }
}
