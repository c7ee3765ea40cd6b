/// A set that forgets its oldest members beyond `capacity`.
struct BoundedSet: Sendable {
    let capacity: Int
    private var members: Set<String> = []
    private var order: [String] = []

    init(capacity: Int) { self.capacity = capacity }

    func contains(_ member: String) -> Bool { members.contains(member) }

    mutating func insert(_ member: String) {
        guard members.insert(member).inserted else { return }
        order.append(member)
        if order.count > capacity { members.remove(order.removeFirst()) }
    }
}

/// A string dictionary that forgets its oldest keys beyond `capacity`.
struct BoundedDictionary: Sendable {
    let capacity: Int
    private var values: [String: String] = [:]
    private var order: [String] = []

    init(capacity: Int) { self.capacity = capacity }

    subscript(key: String) -> String? {
        get { values[key] }
        set {
            guard let newValue else {
                values[key] = nil
                order.removeAll { $0 == key }
                return
            }
            if values.updateValue(newValue, forKey: key) == nil { order.append(key) }
            if order.count > capacity { values[order.removeFirst()] = nil }
        }
    }
}
