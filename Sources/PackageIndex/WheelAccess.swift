import Foundation
import HTTPRange
import LazyZip
import WorkScheduling

/// How wheels are read, the one path from a location to its bytes and its METADATA: an HTTP
/// client, per-host range capabilities, transfer statistics, a pool for parallel range fetches
/// and the length of the first (tail) request. The engine the command line and the server share
/// reads through it, and so does ``MetadataFetcher`` for an index's files.
public final class WheelAccess: Sendable {
    public let client: HTTPClient
    public let capabilities: HostCapabilities
    public let statistics: TransferStatistics
    public let fetchPool: WorkerPool
    public let tailLength: Int

    public init(
        client: HTTPClient = HTTPClient(),
        capabilities: HostCapabilities = HostCapabilities(),
        statistics: TransferStatistics = TransferStatistics(),
        fetchPool: WorkerPool = WorkerPool(label: "lazywheel.fetch", width: 8),
        tailLength: Int = LazyWheel.defaultTailLength
    ) {
        self.client = client
        self.capabilities = capabilities
        self.statistics = statistics
        self.fetchPool = fetchPool
        self.tailLength = tailLength
    }

    /// The bytes of the file at `url`: read from disk for a `file:` URL, else with range requests.
    public func source(for url: URL, headers: HTTPHeaderFields = HTTPHeaderFields(), knownSize: Int64? = nil) throws -> any ByteSource {
        if url.isFileURL { return try FileByteSource(url: url, statistics: statistics) }
        return HTTPRangeSource(
            url: url, client: client, capabilities: capabilities, statistics: statistics, knownSize: knownSize, headers: headers)
    }

    /// The wheel in `source`, its central directory read: one tail request, one more when the
    /// directory is longer than the tail.
    public func open(_ source: any ByteSource, cancellation: CancellationToken? = nil) throws -> LazyWheel {
        try LazyWheel.open(source: source, tailLength: tailLength, statistics: statistics, pool: fetchPool, cancellation: cancellation)
    }

    /// The METADATA bytes of the wheel in `source`, when nothing else of it is needed
    /// (``LazyWheel/fetchMetadata(source:tailLength:statistics:pool:distInfoMatches:cancellation:)``).
    public func metadata(
        of source: any ByteSource, distInfoMatches: @escaping @Sendable (String) -> Bool, cancellation: CancellationToken? = nil
    ) throws -> Data {
        try LazyWheel.fetchMetadata(
            source: source, tailLength: tailLength, statistics: statistics, pool: fetchPool,
            distInfoMatches: distInfoMatches, cancellation: cancellation)
    }
}
