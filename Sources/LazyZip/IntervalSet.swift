/// A set of byte offsets kept as sorted, disjoint, non-adjacent half-open intervals: the
/// bookkeeping of which parts of a remote file are already cached.
///
/// The same few lines of binary search as pip's `lazy_wheel.py` (which uses `bisect` over parallel
/// start/end lists): ``insert(_:)`` merges overlapping *and* adjacent intervals, so `0..<4` and
/// `4..<8` become `0..<8`, and ``gaps(in:)`` lists what is still missing from a range.
public struct IntervalSet: Sendable, Equatable, CustomStringConvertible {
    /// The intervals, sorted by start; no two overlap or touch, none is empty.
    public private(set) var ranges: [Range<Int64>] = []

    /// An empty set.
    public init() {}

    /// The union of `ranges`.
    public init<S: Sequence>(_ ranges: S) where S.Element == Range<Int64> {
        for range in ranges { insert(range) }
    }

    /// Whether the set holds no offset.
    public var isEmpty: Bool { ranges.isEmpty }

    /// How many offsets the set holds.
    public var totalLength: Int64 { ranges.reduce(0) { $0 + Int64($1.count) } }

    public var description: String {
        "[" + ranges.map { "\($0.lowerBound)..<\($0.upperBound)" }.joined(separator: ", ") + "]"
    }

    /// Adds `range`, merging it with every interval it overlaps or touches.
    public mutating func insert(_ range: Range<Int64>) {
        guard !range.isEmpty else { return }
        let low = firstIndex { $0.upperBound >= range.lowerBound }
        let high = firstIndex { $0.lowerBound > range.upperBound }
        var merged = range
        if low < high {
            merged = min(range.lowerBound, ranges[low].lowerBound)
                ..< max(range.upperBound, ranges[high - 1].upperBound)
        }
        ranges.replaceSubrange(low..<high, with: [merged])
    }

    /// Removes every offset of `range`, splitting an interval that straddles its ends.
    public mutating func remove(_ range: Range<Int64>) {
        guard !range.isEmpty else { return }
        let low = firstIndex { $0.upperBound > range.lowerBound }
        let high = firstIndex { $0.lowerBound >= range.upperBound }
        guard low < high else { return }
        var kept: [Range<Int64>] = []
        if ranges[low].lowerBound < range.lowerBound {
            kept.append(ranges[low].lowerBound ..< range.lowerBound)
        }
        if ranges[high - 1].upperBound > range.upperBound {
            kept.append(range.upperBound ..< ranges[high - 1].upperBound)
        }
        ranges.replaceSubrange(low..<high, with: kept)
    }

    /// Removes everything.
    public mutating func removeAll() { ranges.removeAll() }

    /// Whether every offset of `range` is in the set (always true for an empty range).
    public func contains(_ range: Range<Int64>) -> Bool {
        guard !range.isEmpty else { return true }
        let index = firstIndex { $0.upperBound > range.lowerBound }
        guard index < ranges.count else { return false }
        return ranges[index].lowerBound <= range.lowerBound && ranges[index].upperBound >= range.upperBound
    }

    /// Whether `offset` is in the set.
    public func contains(_ offset: Int64) -> Bool {
        contains(offset ..< offset + 1)
    }

    /// The parts of `range` not in the set, in order.
    public func gaps(in range: Range<Int64>) -> [Range<Int64>] {
        guard !range.isEmpty else { return [] }
        var gaps: [Range<Int64>] = []
        var cursor = range.lowerBound
        var index = firstIndex { $0.upperBound > range.lowerBound }
        while index < ranges.count, ranges[index].lowerBound < range.upperBound {
            if ranges[index].lowerBound > cursor { gaps.append(cursor ..< ranges[index].lowerBound) }
            cursor = max(cursor, ranges[index].upperBound)
            index += 1
        }
        if cursor < range.upperBound { gaps.append(cursor ..< range.upperBound) }
        return gaps
    }

    /// The first index whose interval satisfies `predicate`, which must be false for a prefix of
    /// ``ranges`` and true for the rest (bisection); `ranges.count` when none does.
    private func firstIndex(where predicate: (Range<Int64>) -> Bool) -> Int {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(ranges[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
