/// Values computed once per key and shared between threads: the parsed form of texts that repeat
/// (requirement lines, `requires-python` specifiers). Holds at most `capacity` keys; past that a
/// value is computed and not kept, so text from a hostile source costs time, not memory. Two
/// threads asking for a new key at once may both compute it; the value is the same.
public final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    // Inlinable, so that other modules get `value(for:_:)` specialized for their key and value
    // types, since unspecialized, each call looks up generic metadata at run time.
    @usableFromInline let values = Locked<[Key: Value]>([:])
    @usableFromInline let capacity: Int

    public init(capacity: Int = .max) {
        self.capacity = capacity
    }

    /// The value for `key`, computed by `make` the first time.
    @inlinable
    public func value(for key: Key, _ make: (Key) -> Value) -> Value {
        if let known = values.withLock({ $0[key] }) { return known }
        let made = make(key)
        values.withLock { table in
            if table.count < capacity { table[key] = made }
        }
        return made
    }
}
