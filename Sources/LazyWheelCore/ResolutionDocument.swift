import Foundation
import LazyZip
import Resolver

/// The JSON form of a resolution: what `lazywheel resolve --json` prints and `resolve` answers.
public struct ResolutionDocument: Codable, Sendable {
    /// What the resolution cost and how the solver went.
    public struct Stats: Codable, Sendable {
        public var requests: Int
        public var headRequests: Int
        public var bytesFetched: Int64
        public var decisions: Int
        public var conflicts: Int
        public var backtracks: Int
        public var versionsExamined: Int
        public var seconds: Double
        public var prefetch: PrefetchStatistics
    }

    public var packages: [ResolvedPackage]
    public var stats: Stats

    public init(_ resolution: Resolution, transfer: TransferStatistics.Snapshot) {
        packages = resolution.packages
        let solver = resolution.statistics
        stats = Stats(
            requests: transfer.requests, headRequests: transfer.headRequests, bytesFetched: transfer.bytesFetched,
            decisions: solver.decisions, conflicts: solver.conflicts, backtracks: solver.backtracks,
            versionsExamined: solver.versionsExamined, seconds: solver.seconds, prefetch: solver.prefetch)
    }
}
