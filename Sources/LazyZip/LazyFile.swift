import Dispatch
import Foundation
import WorkScheduling

/// A random-access view of a remote file that fetches only the bytes it has not seen yet: the
/// Swift counterpart of pip's `lazy_wheel.LazyZipOverHTTP` (PEP 658's fallback for wheels without
/// a separate metadata file).
///
/// Reads first look in an ``IntervalSet`` of cached ranges; the missing gaps are fetched from the
/// ``ByteSource`` (gaps closer than ``coalesceDistance`` merged into one request, several requests
/// run in parallel on a ``WorkerPool``), written to a ``CacheStore`` and served from there.
///
/// The lock protects only bookkeeping and local copies: fetches run outside it, so a read served
/// entirely from cache never waits behind another thread's slow fetch. Two threads that need the
/// same missing bytes at once send one request: the second waits for the first one's fetch.
public final class LazyFile: Sendable {
    /// Gaps separated by fewer cached bytes than this are fetched with one request.
    ///
    /// Every request costs a round trip plus roughly 700 bytes of request and response headers;
    /// on a 20 ms link at 50 Mbit/s a round trip is worth about 125 KB of transfer. Re-downloading
    /// up to 8 KiB of bytes we already hold is cheaper than a second request, and keeps small
    /// scattered reads (a local header here, an entry's tail there) to one request.
    public static let defaultCoalesceDistance: Int64 = 8 * 1024
    /// Files up to this size cache in memory; bigger ones in a sparse temporary file.
    public static let defaultMemoryStoreThreshold: Int64 = 8 * 1024 * 1024
    /// The pool fetches run on unless another is injected: a few threads, because a wheel read
    /// rarely has more than two or three gaps at once.
    public static let sharedFetchPool = WorkerPool(label: "LazyZip.LazyFile.fetch", width: 4)

    /// The file's size in bytes.
    public let size: Int64
    /// Where the bytes come from.
    public let source: any ByteSource
    /// See ``defaultCoalesceDistance``.
    public let coalesceDistance: Int64
    /// The kind of store chosen for this file's size.
    public let storeKind: CacheStoreKind

    private let pool: WorkerPool
    private let statistics: TransferStatistics?
    private let state: Locked<State>

    /// Cached ranges, their bytes, and fetches in flight.
    private struct State: ~Copyable {
        var cached = IntervalSet()
        var store: any CacheStore
        var inFlight: [Fetch] = []
    }

    /// A request in flight that other reads of the same bytes wait for.
    private struct Fetch {
        let range: Range<Int64>
        let done: DispatchGroup
    }

    /// A file of `tail.totalSize` bytes whose last bytes, `tail`, are already known.
    ///
    /// - Parameters:
    ///   - pool: where parallel fetches run (default ``sharedFetchPool``). Do not call ``read(_:cancellation:)``
    ///     from one of this pool's own workers.
    ///   - statistics: counts cache hits and misses (the source counts requests).
    public init(
        source: any ByteSource,
        tail: TailRead,
        coalesceDistance: Int64 = LazyFile.defaultCoalesceDistance,
        memoryStoreThreshold: Int64 = LazyFile.defaultMemoryStoreThreshold,
        pool: WorkerPool? = nil,
        statistics: TransferStatistics? = nil
    ) throws {
        guard tail.totalSize >= 0, tail.offset >= 0, tail.offset + Int64(tail.bytes.count) <= tail.totalSize else {
            throw LazyFileError.invalidTail(
                source: source.displayName, totalSize: tail.totalSize, offset: tail.offset, count: tail.bytes.count)
        }
        self.size = tail.totalSize
        self.source = source
        self.coalesceDistance = max(0, coalesceDistance)
        self.pool = pool ?? LazyFile.sharedFetchPool
        self.statistics = statistics
        self.storeKind = CacheStoreKind.forFile(size: tail.totalSize, memoryThreshold: memoryStoreThreshold)
        let store: any CacheStore = switch storeKind {
        case .memory: MemoryCacheStore(size: tail.totalSize)
        case .temporaryFile: try TemporaryFileCacheStore()
        }
        try store.write(tail.bytes, at: tail.offset)
        var cached = IntervalSet()
        cached.insert(tail.offset ..< tail.offset + Int64(tail.bytes.count))
        self.state = Locked(State(cached: cached, store: store))
    }

    /// A file of `size` bytes of which nothing is known yet.
    public convenience init(
        source: any ByteSource,
        size: Int64,
        coalesceDistance: Int64 = LazyFile.defaultCoalesceDistance,
        memoryStoreThreshold: Int64 = LazyFile.defaultMemoryStoreThreshold,
        pool: WorkerPool? = nil,
        statistics: TransferStatistics? = nil
    ) throws {
        try self.init(
            source: source, tail: TailRead(totalSize: size, offset: size, bytes: Data()),
            coalesceDistance: coalesceDistance, memoryStoreThreshold: memoryStoreThreshold,
            pool: pool, statistics: statistics)
    }

    /// The ranges held in cache now.
    public var cachedIntervals: [Range<Int64>] { state.withLock { $0.cached.ranges } }

    /// How many bytes are held in cache now.
    public var cachedByteCount: Int64 { state.withLock { $0.cached.totalLength } }

    /// Whether `range` can be read without a request.
    public func isCached(_ range: Range<Int64>) -> Bool { state.withLock { $0.cached.contains(range) } }

    /// Drops every cached byte so a memory budget can reclaim it. The file stays usable: later
    /// reads fetch again. Fetches in flight still complete and cache what they bring.
    public func evictCachedBytes() {
        state.withLock { state in
            state.cached.removeAll()
            state.store.removeAll()
        }
    }

    /// The bytes of `range`, fetching whatever part is not cached yet.
    ///
    /// Throws ``LazyFileError/rangeOutOfBounds(_:fileSize:)`` for a range outside the file,
    /// ``OperationCancelled`` when `cancellation` fires, or the source's error.
    public func read(_ range: Range<Int64>, cancellation: CancellationToken? = nil) throws -> Data {
        try validate(range)
        var missed = false
        while true {
            let attempt: Result<Data, LazyFileError>? = state.withLock { state in
                guard state.cached.contains(range) else { return nil }
                return Result { () throws(LazyFileError) in try state.store.read(range) }
            }
            if let attempt {
                statistics?.recordRead(cacheHit: !missed)
                return try attempt.get()
            }
            missed = true
            try cancellation.throwIfCancelled()
            try fetchMissing(in: [range], priority: .interactive, cancellation: cancellation)
        }
    }

    /// Fetches the parts of `ranges` not cached yet, with the same coalescing as reads, in one call
    /// (several requests in parallel when the gaps are far apart). Returns when they are cached.
    public func prefetch(
        _ ranges: [Range<Int64>], priority: WorkerPool.Priority = .speculative, cancellation: CancellationToken? = nil
    ) throws {
        for range in ranges { try validate(range) }
        var wanted = IntervalSet(ranges)
        while !wanted.isEmpty {
            try cancellation.throwIfCancelled()
            try fetchMissing(in: wanted.ranges, priority: priority, cancellation: cancellation)
            let cached = state.withLock { $0.cached }
            wanted = IntervalSet(wanted.ranges.flatMap { cached.gaps(in: $0) })
        }
    }

    /// The requests that fetch `gaps` (sorted, disjoint): neighbours less than
    /// ``coalesceDistance`` apart merged into one.
    func coalesce(_ gaps: [Range<Int64>]) -> [Range<Int64>] {
        var requests: [Range<Int64>] = []
        for gap in gaps {
            if let last = requests.last, gap.lowerBound - last.upperBound < coalesceDistance {
                requests[requests.count - 1] = last.lowerBound ..< max(last.upperBound, gap.upperBound)
            } else {
                requests.append(gap)
            }
        }
        return requests
    }

    private func validate(_ range: Range<Int64>) throws(LazyFileError) {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw .rangeOutOfBounds(range, fileSize: size)
        }
    }

    /// One round: fetches the gaps of `ranges` nobody is fetching yet, and waits for the fetches
    /// in flight that cover the others. The caller checks the cache again afterwards.
    private func fetchMissing(
        in ranges: [Range<Int64>], priority: WorkerPool.Priority, cancellation: CancellationToken?
    ) throws {
        let (own, others): ([Fetch], [Fetch]) = state.withLock { state in
            var missing = IntervalSet(ranges.flatMap { state.cached.gaps(in: $0) })
            let others = state.inFlight.filter { fetch in missing.ranges.contains { $0.overlaps(fetch.range) } }
            for fetch in others { missing.remove(fetch.range) }
            let own = coalesce(missing.ranges).map { range in
                let done = DispatchGroup()
                done.enter()
                return Fetch(range: range, done: done)
            }
            state.inFlight += own
            return (own, others)
        }
        let jobs: [@Sendable () throws -> Void] = own.map { fetch in
            { [self] in
                defer { finish(fetch) }
                try cancellation.throwIfCancelled()
                let bytes = try source.read(fetch.range, cancellation: cancellation)
                guard bytes.count == fetch.range.count else {
                    throw LazyFileError.shortRead(source: source.displayName, requested: fetch.range, received: bytes.count)
                }
                try state.withLock { state throws(LazyFileError) in
                    try state.store.write(bytes, at: fetch.range.lowerBound)
                    state.cached.insert(fetch.range)
                }
            }
        }
        if !jobs.isEmpty { _ = try pool.runAll(priority: priority, jobs) }
        for fetch in others {
            try WorkerPool.blocking { () throws in
                while fetch.done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
                    try cancellation.throwIfCancelled()
                }
            }
        }
    }

    /// Forgets `fetch` as in flight and wakes whoever waits for it.
    private func finish(_ fetch: Fetch) {
        state.withLock { state in state.inFlight.removeAll { $0.done === fetch.done } }
        fetch.done.leave()
    }
}
