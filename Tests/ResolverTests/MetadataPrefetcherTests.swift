import Dispatch
import Foundation
import Testing
import WorkScheduling
@testable import Resolver

@Suite struct MetadataPrefetcherTests {
    /// A fetch the solver needs must not wait behind speculative work: with the only worker busy,
    /// a queued speculative entry is taken over and run on the caller's thread.
    @Test func blockingRequestOvertakesQueuedSpeculation() throws {
        let pool = WorkerPool(label: "test.prefetch", width: 1)
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        pool.submit(priority: .interactive) { started.signal(); release.wait() }
        started.wait()
        let table = FetchTable<Int>()
        let runs = Locked(0)
        #expect(table.prefetch("x", pool: pool) { runs.withLock { $0 += 1 }; return 1 })
        #expect(!table.prefetch("x", pool: pool) { 2 })
        var wasPrefetched = false
        let value = try table.value(for: "x", wanted: { wasPrefetched = $0 }) { runs.withLock { $0 += 1 }; return 3 }
        #expect(value == 3)
        #expect(wasPrefetched)
        release.signal()
        let done = DispatchSemaphore(value: 0)
        pool.submit(priority: .speculative) { done.signal() }
        done.wait()
        #expect(runs.withLock { $0 } == 1, "the queued speculative job must not run again")
        #expect(try table.value(for: "x", wanted: { _ in }) { 4 } == 3)
    }

    @Test func prefetchPrecisionCountsUsedGuesses() throws {
        let source = FakePackageSource(simple: ["a": ["1.0": ["b"], "2.0": []], "b": ["1.0": []]])
        let prefetcher = MetadataPrefetcher(source: source, pool: WorkerPool(label: "test.precision", width: 2), cancellation: nil)
        let files = try prefetcher.files(for: "a", cancellation: nil)
        for file in files { prefetcher.prefetchMetadata(file, project: "a") }
        _ = try prefetcher.metadata(for: files[0], project: "a", cancellation: nil)
        let statistics = prefetcher.statistics
        #expect(statistics.metadataPrefetched == 2)
        #expect(statistics.prefetchedMetadataUsed == 1)
        #expect(statistics.precision == 0.5)
    }
}
