import Foundation
import LazyZip
import WorkScheduling

/// A ``ByteSource`` over bytes in memory that logs every request, for tests that count requests
/// (the plan of ``LazyWheel`` promises one to three per wheel) or need a slow or blocking source.
public final class MemoryByteSource: ByteSource {
    /// One request as the source saw it.
    public enum Request: Sendable, Hashable, CustomStringConvertible {
        /// A suffix read of `length` bytes (`bytes=-length`).
        case tail(length: Int)
        /// A read of a range.
        case range(Range<Int64>)

        public var description: String {
            switch self {
            case let .tail(length): "tail(\(length))"
            case let .range(range): "\(range.lowerBound)..<\(range.upperBound)"
            }
        }
    }

    public let displayName: String
    /// The file's bytes.
    public let data: Data
    /// How long every request takes (cancellation is checked while waiting).
    public let delay: Duration
    private let statistics: TransferStatistics?
    private let hook: (@Sendable (Request) throws -> Void)?
    private let log = Locked<[Request]>([])

    /// - Parameters:
    ///   - delay: added to every request.
    ///   - statistics: receives one request per read, like a real source.
    ///   - onRequest: runs (on the requesting thread) before each request is answered; it may
    ///     block, to hold a fetch in flight, or throw, to fail it.
    public init(
        _ data: Data, displayName: String = "memory", delay: Duration = .zero,
        statistics: TransferStatistics? = nil, onRequest: (@Sendable (Request) throws -> Void)? = nil
    ) {
        self.data = data
        self.displayName = displayName
        self.delay = delay
        self.statistics = statistics
        self.hook = onRequest
    }

    /// Every request so far, in order.
    public var requests: [Request] { log.withLock { $0 } }
    /// How many requests were made.
    public var requestCount: Int { log.withLock { $0.count } }
    /// Forgets the requests so far.
    public func resetLog() { log.withLock { $0.removeAll() } }

    public func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        try serve(.tail(length: length), cancellation: cancellation)
        let start = max(0, data.count - max(0, length))
        let bytes = data.subdata(in: start ..< data.count)
        statistics?.recordRequest(bytes: Int64(bytes.count))
        return TailRead(totalSize: Int64(data.count), offset: Int64(start), bytes: bytes)
    }

    public func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data {
        try serve(.range(range), cancellation: cancellation)
        guard range.lowerBound >= 0, range.upperBound <= Int64(data.count) else {
            throw LazyFileError.rangeOutOfBounds(range, fileSize: Int64(data.count))
        }
        statistics?.recordRequest(bytes: Int64(range.count))
        return data.subdata(in: Int(range.lowerBound) ..< Int(range.upperBound))
    }

    private func serve(_ request: Request, cancellation: CancellationToken?) throws {
        try cancellation.throwIfCancelled()
        log.withLock { $0.append(request) }
        try hook?(request)
        let clock = ContinuousClock()
        let deadline = clock.now + delay
        while clock.now < deadline {
            try cancellation.throwIfCancelled()
            Thread.sleep(forTimeInterval: 0.002)
        }
        try cancellation.throwIfCancelled()
    }
}
