import Foundation
import HTTPRange
import LazyZip
import PackagingStandards
import WorkScheduling

/// A wheel opened lazily: its central directory is known, its bytes are fetched on demand.
public struct OpenedWheel: Sendable {
    /// Where it was opened from.
    public let location: WheelLocation
    /// The wheel, its interval cache and its central directory.
    public let wheel: LazyWheel
    /// The parsed file name (PEP 427), when the location ends in a valid wheel file name.
    public let filename: WheelFilename?

    /// Accepts the `X.dist-info` directory named by the file name, or any when it has no valid name.
    public func distInfoMatches(_ directory: String) -> Bool {
        filename?.distInfoMatches(directory) ?? true
    }
}

/// The lazy wheel engine shared by the command line and the server: one HTTP client, per-host
/// range capabilities, one set of transfer statistics and one worker pool for parallel fetches.
public final class WheelEngine: Sendable {
    /// The HTTP client every remote wheel is read through.
    public let client: HTTPClient
    /// What each host was seen to support (suffix ranges, ranges at all).
    public let capabilities: HostCapabilities
    /// Requests, bytes and cache hits of everything this engine did.
    public let statistics: TransferStatistics
    /// Where parallel range fetches run.
    public let fetchPool: WorkerPool
    /// Bytes of the first suffix request.
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

    /// The byte source for `location`.
    public func source(for location: WheelLocation, headers: [String: String] = [:]) throws -> any ByteSource {
        switch location {
        case .remote(let url):
            return HTTPRangeSource(
                url: url, client: client, capabilities: capabilities, statistics: statistics,
                headers: HTTPHeaderFields(headers))
        case .local(let path):
            return try FileByteSource(path: path, statistics: statistics)
        }
    }

    /// Opens the wheel at `location`: one suffix request, plus one when its central directory is
    /// longer than the tail.
    public func open(
        _ location: WheelLocation, headers: [String: String] = [:], cancellation: CancellationToken? = nil
    ) throws -> OpenedWheel {
        let source = try source(for: location, headers: headers)
        let wheel = try LazyWheel.open(
            source: source, tailLength: tailLength, statistics: statistics, pool: fetchPool,
            cancellation: cancellation)
        return OpenedWheel(location: location, wheel: wheel, filename: try? WheelFilename(location.filename))
    }

    /// The core metadata of the wheel at `location` when nothing else of it is needed: no handle,
    /// and the central directory only as far as the tail holds it when METADATA's entry is there
    /// (``LazyWheel/fetchMetadata(source:tailLength:statistics:pool:distInfoMatches:cancellation:)``).
    public func metadata(
        at location: WheelLocation, headers: [String: String] = [:], cancellation: CancellationToken? = nil
    ) throws -> CoreMetadata {
        let filename = try? WheelFilename(location.filename)
        let bytes = try LazyWheel.fetchMetadata(
            source: try source(for: location, headers: headers), tailLength: tailLength, statistics: statistics,
            pool: fetchPool, distInfoMatches: { filename?.distInfoMatches($0) ?? true }, cancellation: cancellation)
        return CoreMetadata(bytes: bytes)
    }

    /// The wheel's core metadata, read with at most one more request.
    public func metadata(of opened: OpenedWheel, cancellation: CancellationToken? = nil) throws -> CoreMetadata {
        let bytes = try opened.wheel.readMetadata(distInfoMatches: opened.distInfoMatches, cancellation: cancellation)
        return CoreMetadata(bytes: bytes)
    }
}
