/// A set that forgets its oldest members beyond `capacity`.
struct BoundedSet: Sendable {
    let capacity: Int
    private var members: Set<String> = []
    /// Insertion order, as a ring once full: `next` is the oldest (so forgetting it moves nothing).
    private var order: [String] = []
    private var next = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func contains(_ member: String) -> Bool { members.contains(member) }

    mutating func insert(_ member: String) {
        guard members.insert(member).inserted else { return }
        if order.count < capacity {
            order.append(member)
        } else {
            members.remove(order[next])
            order[next] = member
            next = (next + 1) % capacity
        }
    }
}

/// A string dictionary that forgets its oldest keys beyond `capacity`.
struct BoundedDictionary: Sendable {
    let capacity: Int
    private var values: [String: String] = [:]
    private var order: [String] = []

    init(capacity: Int) { self.capacity = capacity }

    var isEmpty: Bool { values.isEmpty }

    subscript(key: String) -> String? {
        get { values[key] }
        set {
            guard let newValue else {
                // Keys leave soon after they come (a call's origin channel hangs up): look from the end.
                if values.removeValue(forKey: key) != nil, let index = order.lastIndex(of: key) { order.remove(at: index) }
                return
            }
            if values.updateValue(newValue, forKey: key) == nil { order.append(key) }
            if order.count > capacity { values[order.removeFirst()] = nil }
        }
    }
}
