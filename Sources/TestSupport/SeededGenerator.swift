/// A small seeded random generator (SplitMix64), so that every run of a generated test checks the
/// same cases.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    /// One of `items`, which must not be empty.
    public mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// `text` with one character of `insertable` inserted, or one character deleted, at a random
    /// place: a near miss of a valid input.
    public mutating func damaged(_ text: String, inserting insertable: [Character]) -> String {
        var characters = Array(text)
        let at = int(0...characters.count)
        if chance(0.5) || characters.isEmpty {
            characters.insert(pick(insertable), at: at)
        } else {
            characters.remove(at: min(at, characters.count - 1))
        }
        return String(characters)
    }
}
