/// Encoding of the actions the client sends.
enum AMIAction {
    /// `Key: Value` lines and the blank line that ends an action.
    ///
    /// CR and LF are removed from values: a user name or secret containing a
    /// line break would otherwise inject fields into the action.
    static func encode<Fields: Sequence<(key: String, value: String)>>(_ fields: Fields) -> [UInt8] {
        var text = ""
        for (key, value) in fields {
            text += key + ": " + value.filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" } + "\r\n"
        }
        return Array((text + "\r\n").utf8)
    }
}
