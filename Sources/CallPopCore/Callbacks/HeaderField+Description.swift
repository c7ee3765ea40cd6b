extension HeaderField: CustomStringConvertible, CustomDebugStringConvertible {
    /// `Name: value`, a secret's value masked: printing settings or a request never shows a token.
    public var description: String { "\(name): \(shownValue)" }
    public var debugDescription: String { description }
}
