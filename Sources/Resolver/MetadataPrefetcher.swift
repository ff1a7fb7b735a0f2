import Foundation
import PackageIndex
import PackagingStandards
import WorkScheduling

/// Counters for index pages and metadata fetched during one resolution.
public struct PrefetchStatistics: Sendable, Equatable, Codable {
    /// Project pages fetched (by the solver or ahead of it).
    public var pagesFetched = 0
    /// Metadata files fetched (by the solver or ahead of it).
    public var metadataFetched = 0
    /// Metadata fetches started speculatively, before the solver asked.
    public var metadataPrefetched = 0
    /// Of those, how many the solver later asked for.
    public var prefetchedMetadataUsed = 0

    public init() {}

    /// Prefetched metadata actually used / prefetched; nil when nothing was prefetched.
    public var precision: Double? {
        metadataPrefetched == 0 ? nil : Double(prefetchedMetadataUsed) / Double(metadataPrefetched)
    }
}

/// A caching front for a ``PackageSource`` that fetches ahead of the solver: every root's page at
/// once, the pages of a project's dependencies as soon as its metadata arrives, and the metadata
/// of the candidates the solver will look at next.
///
/// Speculative work runs on a ``WorkerPool`` at ``WorkerPool/Priority/speculative``. A fetch the
/// solver blocks on runs on the solver's own thread at once, and a speculative fetch still
/// waiting in the pool's queue is taken over by the solver, so blocking requests never wait
/// behind prefetching.
public final class MetadataPrefetcher: PackageSource {
    private let source: any PackageSource
    private let pool: WorkerPool
    private let cancellation: CancellationToken?
    /// Cancels speculative fetches: when the resolution ends, or when ``cancellation`` fires.
    private let speculation = CancellationToken()
    private let cancellationHandler: Int?
    private let dependencyNames: @Sendable (CoreMetadata) -> [String]
    private let pages = FetchTable<[DistributionFile]>()
    private let metadataFiles = FetchTable<CoreMetadata>()
    private let counters = Locked(PrefetchStatistics())

    /// Work on a page done by the thread that fetched it, before anyone is handed the page; it
    /// returns the file the solver will most likely try first, whose metadata is then fetched
    /// ahead without waiting for the solver (nil: none).
    private let pageArrived: @Sendable (_ project: String, _ files: [DistributionFile]) -> DistributionFile?

    /// - Parameters:
    ///   - dependencyNames: the canonical names of the projects a metadata file's requirements
    ///     name for the target (markers evaluated), whose pages are then prefetched.
    ///   - pageArrived: called with each page fetched (the project's canonical name and its
    ///     files), on the thread that fetched it, before anyone is handed the page; returns the
    ///     file whose metadata to prefetch.
    public init(
        source: any PackageSource, pool: WorkerPool, cancellation: CancellationToken?,
        dependencyNames: @escaping @Sendable (CoreMetadata) -> [String] = { _ in [] },
        pageArrived: @escaping @Sendable (_ project: String, _ files: [DistributionFile]) -> DistributionFile? = { _, _ in nil }
    ) {
        self.source = source
        self.pool = pool
        self.cancellation = cancellation
        self.dependencyNames = dependencyNames
        self.pageArrived = pageArrived
        let speculation = self.speculation
        self.cancellationHandler = cancellation?.onCancel { speculation.cancel() }
    }

    deinit { cancellation?.removeHandler(cancellationHandler) }

    /// Stops prefetching: queued speculative fetches are dropped and running ones cancelled.
    /// Call when the resolution is over.
    public func stopSpeculation() { speculation.cancel() }

    public var statistics: PrefetchStatistics { counters.withLock { $0 } }

    // MARK: PackageSource (blocking)

    public func files(for project: String, cancellation: CancellationToken?) throws -> [DistributionFile] {
        try pages.value(for: project, wanted: { _ in }) { try self.fetchPage(project, cancellation: self.cancellation) }
    }

    public func metadata(for file: DistributionFile, project: String, cancellation: CancellationToken?) throws -> CoreMetadata {
        try metadataFiles.value(for: file.url.absoluteString, wanted: { wasPrefetched in
            if wasPrefetched { self.counters.withLock { $0.prefetchedMetadataUsed += 1 } }
        }) { try self.fetchMetadata(file, project: project, cancellation: self.cancellation) }
    }

    public func metadata(forDirectReference url: String, cancellation: CancellationToken?) throws -> CoreMetadata {
        try metadataFiles.value(for: "direct:" + url, wanted: { _ in }) {
            let metadata = try self.source.metadata(forDirectReference: url, cancellation: self.cancellation)
            self.afterMetadata(metadata)
            return metadata
        }
    }

    // MARK: speculative

    /// Starts fetching the pages of `projects` in the background.
    public func prefetchPages(_ projects: [String]) {
        guard !speculation.isCancelled else { return }
        for project in projects {
            pages.prefetch(project, pool: pool, skipIf: speculation) { try self.fetchPage(project, cancellation: self.speculation) }
        }
    }

    /// Starts fetching the metadata of `file` in the background.
    public func prefetchMetadata(_ file: DistributionFile, project: String) {
        guard !speculation.isCancelled else { return }
        let started = metadataFiles.prefetch(file.url.absoluteString, pool: pool, skipIf: speculation) {
            try self.fetchMetadata(file, project: project, cancellation: self.speculation)
        }
        if started { counters.withLock { $0.metadataPrefetched += 1 } }
    }

    // MARK: fetching

    private func fetchPage(_ project: String, cancellation: CancellationToken?) throws -> [DistributionFile] {
        try cancellation.throwIfCancelled()
        let files = try source.files(for: project, cancellation: cancellation)
        counters.withLock { $0.pagesFetched += 1 }
        if let file = pageArrived(project, files) { prefetchMetadata(file, project: project) }
        return files
    }

    private func fetchMetadata(_ file: DistributionFile, project: String, cancellation: CancellationToken?) throws -> CoreMetadata {
        try cancellation.throwIfCancelled()
        let metadata = try source.metadata(for: file, project: project, cancellation: cancellation)
        counters.withLock { $0.metadataFetched += 1 }
        afterMetadata(metadata)
        return metadata
    }

    private func afterMetadata(_ metadata: CoreMetadata) {
        prefetchPages(dependencyNames(metadata))
    }
}

/// Results of fetches by key, each fetched at most once, whoever asks first.
final class FetchTable<Value: Sendable>: Sendable {
    private final class Entry: @unchecked Sendable {
        enum State { case queued, running, done(Result<Value, any Error>) }
        let condition = NSCondition()
        var state = State.queued
        let speculative: Bool
        var claimed = false
        init(speculative: Bool) { self.speculative = speculative }
    }

    private let entries = Locked<[String: Entry]>([:])

    /// The value for `key`: fetched on this thread when nobody started it (or when it only sits
    /// in the pool's queue), otherwise waited for. `wanted` is told, once per key, whether the
    /// entry was created speculatively.
    func value(for key: String, wanted: (Bool) -> Void, fetch: () throws -> Value) throws -> Value {
        let entry = entries.withLock { table -> Entry in
            if let existing = table[key] { return existing }
            let created = Entry(speculative: false)
            table[key] = created
            return created
        }
        entry.condition.lock()
        if !entry.claimed {
            entry.claimed = true
            wanted(entry.speculative)
        }
        switch entry.state {
        case .queued:
            entry.state = .running
            entry.condition.unlock()
            let result = Result { try fetch() }
            finish(entry, result)
            return try result.get()
        case .running:
            WorkerPool.blocking {
                while case .running = entry.state { entry.condition.wait() }
            }
            defer { entry.condition.unlock() }
            guard case .done(let result) = entry.state else { throw OperationCancelled() }
            return try result.get()
        case .done(let result):
            if entry.speculative, case .failure = result {
                // A failed guess (cancelled when speculation stopped, or a transient error) is
                // retried once for a caller that really needs it.
                entry.state = .running
                entry.condition.unlock()
                let retried = Result { try fetch() }
                finish(entry, retried)
                return try retried.get()
            }
            entry.condition.unlock()
            return try result.get()
        }
    }

    /// Queues a speculative fetch of `key` unless one exists; returns whether it queued one.
    @discardableResult
    func prefetch(
        _ key: String, pool: WorkerPool, skipIf stopped: CancellationToken? = nil,
        fetch: @escaping @Sendable () throws -> Value
    ) -> Bool {
        let entry: Entry? = entries.withLock { table in
            if table[key] != nil { return nil }
            let created = Entry(speculative: true)
            table[key] = created
            return created
        }
        guard let entry else { return false }
        pool.submit(priority: .speculative) {
            if stopped?.isCancelled == true { return }
            entry.condition.lock()
            guard case .queued = entry.state else { entry.condition.unlock(); return }
            entry.state = .running
            entry.condition.unlock()
            let result = Result { try fetch() }
            self.finish(entry, result)
        }
        return true
    }

    private func finish(_ entry: Entry, _ result: Result<Value, any Error>) {
        entry.condition.lock()
        entry.state = .done(result)
        entry.condition.broadcast()
        entry.condition.unlock()
    }
}
