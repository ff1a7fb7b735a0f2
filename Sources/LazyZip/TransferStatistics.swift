import Foundation
import WorkScheduling

/// Counters of the I/O a command or a session caused: what `--stats` prints and the `stats`
/// JSON-RPC method returns. Thread-safe; shared by every ``ByteSource`` of a session.
public final class TransferStatistics: Sendable {
    /// A consistent copy of the counters.
    public struct Snapshot: Sendable, Equatable, Codable {
        /// HTTP requests sent (every method, retries included).
        public var requests: Int = 0
        /// HTTP HEAD requests sent (the design goal is zero).
        public var headRequests: Int = 0
        /// Body bytes received over HTTP or read from local files.
        public var bytesFetched: Int64 = 0
        /// Reads answered entirely from an interval cache.
        public var cacheHits: Int = 0
        /// Reads that needed at least one fetch.
        public var cacheMisses: Int = 0

        public init() {}
    }

    private let counters = Locked(Snapshot())

    public init() {}

    /// The counters now.
    public var snapshot: Snapshot { counters.withLock { $0 } }

    /// Records one request (`isHead` for HEAD) that brought `bytes` body bytes.
    public func recordRequest(bytes: Int64, isHead: Bool = false) {
        counters.withLock {
            $0.requests += 1
            if isHead { $0.headRequests += 1 }
            $0.bytesFetched += bytes
        }
    }

    /// Records body bytes received after the request was counted.
    public func recordBytes(_ bytes: Int64) {
        counters.withLock { $0.bytesFetched += bytes }
    }

    /// Records whether a read was served from cache alone.
    public func recordRead(cacheHit: Bool) {
        counters.withLock {
            if cacheHit { $0.cacheHits += 1 } else { $0.cacheMisses += 1 }
        }
    }
}
