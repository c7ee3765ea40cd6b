/// `[history]`: the call history journal under `$XDG_STATE_HOME/callpop/`.
extension ConfigBuilder {
    mutating func buildHistory() -> HistoryPreferences {
        let t = table("history")
        checkKeys("history", ConfigSchema.history, t)
        var preferences = HistoryPreferences()
        if let enabled = bool(t, "history", "enabled") { preferences.enabled = enabled }
        if let size = integer(t, "history", "max_kb") {
            if size < 64 {
                report(layers[t["max_kb"]?.layer ?? 0], "history.max_kb", "max_kb must be at least 64 (kilobytes)")
            } else {
                preferences.maximumBytes = size * 1024
            }
        }
        return preferences
    }
}
