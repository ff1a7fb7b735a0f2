import Testing
import WorkScheduling

@Suite struct MemoTests {
    @Test func computesEachKeyOnceAndKeepsAbsentValues() {
        let memo = Memo<String, Int?>()
        let calls = Locked(0)
        let parse: (String) -> Int? = { text in calls.withLock { $0 += 1 }; return Int(text) }
        #expect(memo.value(for: "12", parse) == 12)
        #expect(memo.value(for: "12", parse) == 12)
        #expect(memo.value(for: "x", parse) == nil)
        #expect(memo.value(for: "x", parse) == nil)
        #expect(calls.withLock { $0 } == 2)
    }

    @Test func keepsNoMoreThanItsCapacity() {
        let memo = Memo<Int, Int>(capacity: 2)
        let calls = Locked(0)
        let square: (Int) -> Int = { n in calls.withLock { $0 += 1 }; return n * n }
        for n in [1, 2, 3, 3, 1] { #expect(memo.value(for: n, square) == n * n) }
        // 1 and 2 were kept; 3 was computed both times.
        #expect(calls.withLock { $0 } == 4)
    }
}
