import Dispatch
import Foundation
import LazyZip
import TestSupport
import Testing
import WorkScheduling

/// Bytes whose value depends on their offset, so any misplaced copy shows.
func patternBytes(_ range: Range<Int64>) -> Data {
    Data(range.map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) })
}

/// A source of `size` pattern bytes that never holds them all (for a 700 MB file).
final class PatternByteSource: ByteSource {
    let displayName = "pattern"
    let size: Int64
    let requests = Locked<[Range<Int64>]>([])
    init(size: Int64) { self.size = size }
    func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        let start = max(0, size - Int64(length))
        return TailRead(totalSize: size, offset: start, bytes: try read(start ..< size, cancellation: cancellation))
    }
    func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data {
        requests.withLock { $0.append(range) }
        return patternBytes(range)
    }
}

/// A source that returns fewer bytes than asked.
final class ShortByteSource: ByteSource {
    let displayName = "short"
    func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        TailRead(totalSize: 1000, offset: 1000, bytes: Data())
    }
    func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data { Data(count: range.count - 1) }
}

/// Waits up to five seconds for `condition`.
func eventually(_ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(5)
    while !condition() {
        if Date() > deadline { return false }
        Thread.sleep(forTimeInterval: 0.002)
    }
    return true
}

@Suite struct LazyFileTests {
    let content = patternBytes(0 ..< 100_000)

    func makeFile(
        source: MemoryByteSource, tail: Int = 1000, coalesce: Int64 = LazyFile.defaultCoalesceDistance,
        statistics: TransferStatistics? = nil
    ) throws -> LazyFile {
        let size = Int64(source.data.count)
        let tailRead = TailRead(totalSize: size, offset: size - Int64(tail), bytes: source.data.suffix(tail))
        return try LazyFile(source: source, tail: tailRead, coalesceDistance: coalesce, statistics: statistics)
    }

    @Test func fetchesOnlyTheMissingGap() throws {
        let source = MemoryByteSource(content)
        let file = try makeFile(source: source)
        #expect(file.cachedIntervals == [99_000 ..< 100_000])
        #expect(try file.read(98_000 ..< 99_500) == content[98_000 ..< 99_500])
        #expect(source.requests == [.range(98_000 ..< 99_000)])
        #expect(try file.read(98_500 ..< 100_000) == content[98_500 ..< 100_000])
        #expect(source.requestCount == 1, "served from cache")
        #expect(file.cachedIntervals == [98_000 ..< 100_000])
        #expect(file.cachedByteCount == 2000)
    }

    @Test func coalescesCloseGaps() throws {
        let source = MemoryByteSource(content)
        let file = try makeFile(source: source)
        _ = try file.read(10_000 ..< 11_000)
        _ = try file.read(14_000 ..< 15_000)
        source.resetLog()
        // Gaps 9000..<10000, 11000..<14000, 15000..<16000 are 1-3 KB apart: one request.
        #expect(try file.read(9_000 ..< 16_000) == content[9_000 ..< 16_000])
        #expect(source.requests == [.range(9_000 ..< 16_000)])
    }

    @Test func farGapsAreFetchedInParallel() throws {
        let arrived = Locked(0)
        let barrier = Locked(false)
        let source = MemoryByteSource(content, onRequest: { _ in
            guard barrier.withLock({ $0 }) else { return }
            arrived.withLock { $0 += 1 }
            // Each request waits until all three are in flight: proof they run at once.
            _ = eventually { arrived.withLock { $0 } >= 3 }
        })
        let file = try makeFile(source: source, coalesce: 100)
        _ = try file.read(20_000 ..< 21_000)
        _ = try file.read(40_000 ..< 41_000)
        barrier.withLock { $0 = true }
        source.resetLog()
        #expect(try file.read(0 ..< 60_000) == content[0 ..< 60_000])
        #expect(Set(source.requests) == [.range(0 ..< 20_000), .range(21_000 ..< 40_000), .range(41_000 ..< 60_000)])
        #expect(arrived.withLock { $0 } == 3)
    }

    @Test func cacheHitDoesNotWaitForASlowFetch() throws {
        let release = DispatchSemaphore(value: 0)
        let fetching = Locked(false)
        let source = MemoryByteSource(content, onRequest: { request in
            if case .range = request {
                fetching.withLock { $0 = true }
                release.wait()
            }
        })
        let file = try makeFile(source: source)
        let slowDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? file.read(0 ..< 1000)
            slowDone.signal()
        }
        #expect(eventually { fetching.withLock { $0 } })
        // The slow fetch is blocked in the source; a cached read must still return at once.
        let hitDone = DispatchSemaphore(value: 0)
        let hit = Locked<Data?>(nil)
        DispatchQueue.global().async {
            let bytes = try? file.read(99_500 ..< 100_000)
            hit.withLock { $0 = bytes }
            hitDone.signal()
        }
        #expect(hitDone.wait(timeout: .now() + 5) == .success)
        #expect(hit.withLock { $0 } == content[99_500 ..< 100_000])
        release.signal()
        #expect(slowDone.wait(timeout: .now() + 5) == .success)
    }

    @Test func concurrentReadsOfTheSameGapShareOneRequest() throws {
        let release = DispatchSemaphore(value: 0)
        let source = MemoryByteSource(content, onRequest: { request in
            if case .range = request { release.wait() }
        })
        let file = try makeFile(source: source)
        let group = DispatchGroup()
        let results = Locked<[Data]>([])
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                if let bytes = try? file.read(5_000 ..< 6_000) { results.withLock { $0.append(bytes) } }
            }
        }
        #expect(eventually { source.requestCount == 1 })
        Thread.sleep(forTimeInterval: 0.05)
        release.signal()
        release.signal()
        #expect(group.wait(timeout: .now() + 5) == .success)
        #expect(source.requestCount == 1)
        #expect(results.withLock { $0 } == [content[5_000 ..< 6_000], content[5_000 ..< 6_000]])
    }

    @Test func evictionDropsBytesAndRefetches() throws {
        let source = MemoryByteSource(content)
        let file = try makeFile(source: source)
        _ = try file.read(0 ..< 4096)
        #expect(file.cachedByteCount == 5096)
        file.evictCachedBytes()
        #expect(file.cachedByteCount == 0)
        #expect(file.cachedIntervals.isEmpty)
        source.resetLog()
        #expect(try file.read(1000 ..< 2000) == content[1000 ..< 2000])
        #expect(source.requests == [.range(1000 ..< 2000)])
    }

    @Test func prefetchFetchesSeveralRangesInOneCall() throws {
        let source = MemoryByteSource(content)
        let statistics = TransferStatistics()
        let file = try makeFile(source: source, statistics: statistics)
        try file.prefetch([0 ..< 100, 50_000 ..< 50_100, 50_200 ..< 50_300, 99_900 ..< 100_000])
        #expect(Set(source.requests) == [.range(0 ..< 100), .range(50_000 ..< 50_300)])
        source.resetLog()
        #expect(try file.read(50_000 ..< 50_300) == content[50_000 ..< 50_300])
        #expect(source.requestCount == 0)
        #expect(statistics.snapshot.cacheHits == 1)
        #expect(statistics.snapshot.cacheMisses == 0)
    }

    @Test func recordsHitsAndMisses() throws {
        let statistics = TransferStatistics()
        let file = try makeFile(source: MemoryByteSource(content), statistics: statistics)
        _ = try file.read(99_000 ..< 99_100)
        _ = try file.read(0 ..< 10)
        _ = try file.read(0 ..< 10)
        #expect(statistics.snapshot.cacheHits == 2)
        #expect(statistics.snapshot.cacheMisses == 1)
    }

    @Test func rejectsRangesOutsideTheFile() throws {
        let file = try makeFile(source: MemoryByteSource(content))
        #expect(throws: LazyFileError.rangeOutOfBounds(99_000 ..< 100_001, fileSize: 100_000)) {
            try file.read(99_000 ..< 100_001)
        }
        #expect(throws: LazyFileError.rangeOutOfBounds(-1 ..< 10, fileSize: 100_000)) { try file.read(-1 ..< 10) }
        #expect(try file.read(100_000 ..< 100_000) == Data())
        #expect(throws: LazyFileError.self) { try file.prefetch([0 ..< 200_000]) }
    }

    @Test func rejectsInconsistentTailAndShortReads() throws {
        #expect(throws: LazyFileError.self) {
            try LazyFile(source: ShortByteSource(), tail: TailRead(totalSize: 10, offset: 5, bytes: Data(count: 6)))
        }
        let file = try LazyFile(source: ShortByteSource(), size: 1000)
        #expect(throws: LazyFileError.shortRead(source: "short", requested: 0 ..< 10, received: 9)) {
            try file.read(0 ..< 10)
        }
    }

    @Test func sourceErrorsPropagateAndTheFileStaysUsable() throws {
        struct Refused: Error {}
        let failures = Locked(1)
        let source = MemoryByteSource(content, onRequest: { _ in
            if failures.withLock({ count in defer { count -= 1 }; return count > 0 }) { throw Refused() }
        })
        let file = try LazyFile(source: source, size: 100_000)
        #expect(throws: Refused.self) { try file.read(0 ..< 10) }
        #expect(try file.read(0 ..< 10) == content[0 ..< 10])
    }

    @Test func honoursCancellation() throws {
        let file = try makeFile(source: MemoryByteSource(content, delay: .seconds(30)))
        let token = CancellationToken()
        token.cancel()
        #expect(throws: OperationCancelled.self) { try file.read(0 ..< 10, cancellation: token) }
        // A cached read needs no I/O, so it is served even with a cancelled token.
        #expect(try file.read(99_000 ..< 99_010, cancellation: token) == content[99_000 ..< 99_010])

        let running = CancellationToken()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { running.cancel() }
        #expect(throws: OperationCancelled.self) { try file.read(0 ..< 10, cancellation: running) }
        #expect(file.cachedIntervals == [99_000 ..< 100_000])
    }

    @Test(arguments: [CacheStoreKind.memory, .temporaryFile])
    func bothStoresServeTheSameBytes(kind: CacheStoreKind) throws {
        let source = MemoryByteSource(content)
        let tail = try source.readTail(length: 3000, cancellation: nil)
        let file = try LazyFile(source: source, tail: tail, memoryStoreThreshold: kind == .memory ? 1 << 20 : 1000)
        #expect(file.storeKind == kind)
        #expect(try file.read(50_000 ..< 50_500) == content[50_000 ..< 50_500])
        #expect(try file.read(49_000 ..< 100_000) == content[49_000 ..< 100_000])
        file.evictCachedBytes()
        #expect(try file.read(0 ..< 100_000) == content)
    }

    @Test func bigFilesUseASparseTemporaryFile() throws {
        let size: Int64 = 700 * 1024 * 1024
        let source = PatternByteSource(size: size)
        let file = try LazyFile(source: source, tail: try source.readTail(length: 16384, cancellation: nil))
        #expect(file.storeKind == .temporaryFile)
        let far = 600 * 1024 * 1024 ..< 600 * 1024 * 1024 + Int64(5000)
        #expect(try file.read(far) == patternBytes(far))
        #expect(try file.read(0 ..< 10) == patternBytes(0 ..< 10))
        #expect(try file.read(size - 100 ..< size) == patternBytes(size - 100 ..< size))
        #expect(file.cachedByteCount == 16384 + 5000 + 10)
    }
}
