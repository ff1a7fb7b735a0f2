import LazyZip
import Testing

@Suite struct IntervalSetTests {
    @Test func insertMergesOverlappingAndAdjacent() {
        var set = IntervalSet()
        set.insert(10..<20)
        set.insert(30..<40)
        #expect(set.ranges == [10..<20, 30..<40])
        set.insert(20..<25)
        #expect(set.ranges == [10..<25, 30..<40], "adjacent on the left merges")
        set.insert(28..<30)
        #expect(set.ranges == [10..<25, 28..<40], "adjacent on the right merges")
        set.insert(24..<29)
        #expect(set.ranges == [10..<40])
        set.insert(0..<5)
        set.insert(50..<60)
        #expect(set.ranges == [0..<5, 10..<40, 50..<60])
        set.insert(3..<55)
        #expect(set.ranges == [0..<60], "one insert spanning several intervals")
        set.insert(7..<7)
        #expect(set.ranges == [0..<60], "empty ranges are ignored")
        #expect(set.totalLength == 60)
    }

    @Test func containsAndGaps() {
        let set = IntervalSet([10..<20, 30..<40])
        #expect(set.contains(10..<20))
        #expect(set.contains(12..<13))
        #expect(!set.contains(9..<11))
        #expect(!set.contains(15..<35))
        #expect(!set.contains(40..<41))
        #expect(set.contains(5..<5))
        #expect(set.contains(Int64(19)))
        #expect(!set.contains(Int64(20)))
        #expect(set.gaps(in: 0..<50) == [0..<10, 20..<30, 40..<50])
        #expect(set.gaps(in: 12..<18) == [])
        #expect(set.gaps(in: 15..<35) == [20..<30])
        #expect(set.gaps(in: 20..<30) == [20..<30])
        #expect(set.gaps(in: 45..<50) == [45..<50])
        #expect(set.gaps(in: 5..<5) == [])
        #expect(IntervalSet().gaps(in: 0..<3) == [0..<3])
    }

    @Test func removeSplitsAndClears() {
        var set = IntervalSet([0..<100])
        set.remove(40..<60)
        #expect(set.ranges == [0..<40, 60..<100])
        set.remove(30..<70)
        #expect(set.ranges == [0..<30, 70..<100])
        set.remove(0..<30)
        #expect(set.ranges == [70..<100])
        set.remove(0..<10)
        #expect(set.ranges == [70..<100])
        set.removeAll()
        #expect(set.isEmpty)
        #expect(set.totalLength == 0)
    }

    /// Random inserts, removes and queries against a bitmap of 200 offsets.
    @Test(arguments: [1, 2, 3, 4, 5])
    func agreesWithBitmapModel(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let length = 200
        var bitmap = [Bool](repeating: false, count: length)
        var set = IntervalSet()
        for _ in 0..<2000 {
            let a = Int64(generator.next() % UInt64(length + 1))
            let b = Int64(generator.next() % UInt64(length + 1))
            let range = min(a, b) ..< max(a, b)
            switch generator.next() % 4 {
            case 0, 1:
                set.insert(range)
                for offset in range { bitmap[Int(offset)] = true }
            case 2:
                set.remove(range)
                for offset in range { bitmap[Int(offset)] = false }
            default:
                let contained = range.allSatisfy { bitmap[Int($0)] }
                if set.contains(range) != contained || set.gaps(in: range) != Self.gaps(of: bitmap, in: range) {
                    Issue.record("query \(range) disagrees with the model on \(set)")
                    return
                }
            }
            // Invariants: sorted, disjoint, non-adjacent, non-empty; same offsets as the bitmap.
            let ordered = zip(set.ranges, set.ranges.dropFirst()).allSatisfy { $0.upperBound < $1.lowerBound }
            if !ordered || set.ranges.contains(where: \.isEmpty)
                || set.totalLength != Int64(bitmap.filter { $0 }.count) {
                Issue.record("invariants broken after \(range): \(set)")
                return
            }
        }
        #expect(set.ranges == Self.gaps(of: bitmap.map { !$0 }, in: 0..<Int64(length)))
    }

    /// The runs of `false` in `bitmap` within `range`.
    static func gaps(of bitmap: [Bool], in range: Range<Int64>) -> [Range<Int64>] {
        var result: [Range<Int64>] = []
        var start: Int64?
        for offset in range {
            if !bitmap[Int(offset)] {
                if start == nil { start = offset }
            } else if let open = start {
                result.append(open ..< offset)
                start = nil
            }
        }
        if let open = start { result.append(open ..< range.upperBound) }
        return result
    }
}

/// A small deterministic generator for reproducible randomized tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
