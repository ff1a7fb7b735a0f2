/// Keys in the order they were last used, least recent first, with constant-time use, removal and
/// access to the oldest: the LRU order of ``WheelHandleTable``, which must cost the same per wheel
/// with ten thousand wheels as with ten.
struct RecencyList<Key: Hashable> {
    private struct Link {
        var older: Key?
        var newer: Key?
    }

    private var links: [Key: Link] = [:]
    /// The least recently used key.
    private(set) var oldest: Key?
    /// The most recently used key.
    private(set) var newest: Key?

    var count: Int { links.count }

    func contains(_ key: Key) -> Bool { links[key] != nil }

    /// The key used just after `key`, or nil when `key` is the newest (or absent).
    func newer(than key: Key) -> Key? { links[key]?.newer }

    /// Marks `key` as just used, adding it when absent.
    mutating func use(_ key: Key) {
        if newest == key { return }
        remove(key)
        links[key] = Link(older: newest, newer: nil)
        if let newest { links[newest]!.newer = key } else { oldest = key }
        newest = key
    }

    /// Forgets `key`; nothing when absent.
    mutating func remove(_ key: Key) {
        guard let link = links.removeValue(forKey: key) else { return }
        if let older = link.older { links[older]!.newer = link.newer } else { oldest = link.newer }
        if let newer = link.newer { links[newer]!.older = link.older } else { newest = link.older }
    }

    /// Removes and returns the least recently used key.
    mutating func removeOldest() -> Key? {
        guard let key = oldest else { return nil }
        remove(key)
        return key
    }

    mutating func removeAll() {
        links.removeAll()
        oldest = nil
        newest = nil
    }
}
