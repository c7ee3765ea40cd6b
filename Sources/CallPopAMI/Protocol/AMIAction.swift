/// Encoding of the actions the client sends.
enum AMIAction {
    /// `Key: Value` lines and the blank line that ends an action.
    ///
    /// CR and LF are removed from values: a user name or secret containing a
    /// line break would otherwise inject fields into the action.
    static func encode(_ fields: KeyValuePairs<String, String>) -> [UInt8] {
        encode(fields.map { (key: $0.key, value: $0.value) })
    }

    /// The same for fields built at run time (an array keeps their order, as a literal
    /// of `KeyValuePairs` does; a dictionary would not).
    static func encode(_ fields: [(key: String, value: String)]) -> [UInt8] {
        var text = ""
        for (key, value) in fields {
            text += key + ": " + value.filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" } + "\r\n"
        }
        return Array((text + "\r\n").utf8)
    }
}
