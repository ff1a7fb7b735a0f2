import Foundation
import JSONRPC

/// `stats` → what the session cost and holds: requests, bytes, cache hits, handles, memory.
struct StatsRequest: ServerMethod {
    static let method = "stats"

    struct Response: Codable, Sendable {
        var requests: Int
        var headRequests: Int
        var bytesFetched: Int64
        var cacheHits: Int
        var cacheMisses: Int
        var openHandles: Int
        var cachedWheels: Int
        /// Bytes held by the interval caches of every cached wheel.
        var cachedBytes: Int64
        var memoryBudgetBytes: Int64
        /// The process's resident set size (Linux `/proc/self/statm`), when known.
        var residentMemoryBytes: Int64?
        /// Origins seen ignoring `Range`, whose wheels are read front to back.
        var hostsIgnoringRanges: [String]
    }

    func answerFromMemory(in session: ServerSession) throws -> Response? {
        let counters = session.engine.statistics.snapshot
        return Response(
            requests: counters.requests, headRequests: counters.headRequests, bytesFetched: counters.bytesFetched,
            cacheHits: counters.cacheHits, cacheMisses: counters.cacheMisses,
            openHandles: session.wheels.openHandleCount, cachedWheels: session.wheels.cachedWheelCount,
            cachedBytes: session.wheels.cachedBytes, memoryBudgetBytes: session.memoryBudget,
            residentMemoryBytes: Self.residentMemory(),
            hostsIgnoringRanges: session.engine.capabilities.hostsIgnoringRange)
    }

    func answer(in context: RequestContext) throws -> Response {
        try answerFromMemory(in: context.session)!
    }

    static func residentMemory() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
