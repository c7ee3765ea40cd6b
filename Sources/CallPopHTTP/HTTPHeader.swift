public import CallPopCore

/// One header of a request or a response: the domain's `HeaderField`, so requests built by
/// callbacks and sources go out as they are. Names compare without regard to case; a
/// secret's value is sent but only ever shown as `****`.
public typealias HTTPHeader = HeaderField

extension Array where Element == HTTPHeader {
    /// The value of the first header called `name` (any case), if any.
    public func value(of name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}
