import Foundation
import JSONRPC
import WorkScheduling

/// The memory that large replies (`readEntry`, `readRange`) hold while they are built and written:
/// the inflated member, its base64 text and the serialized frame. Those count against the
/// session's memory budget, so concurrent reads of large members wait their turn instead of
/// taking the process past the budget; a single read larger than the whole budget fails at once.
final class ReplyMemoryBudget: @unchecked Sendable {
    /// Guards ``reserved``; waiters sleep on it until a reservation is released.
    private let condition = NSCondition()
    private var reserved: Int64 = 0
    /// How often a waiting request looks at its cancellation.
    private static let cancellationPoll: TimeInterval = 0.05

    /// Bytes reserved by replies in progress.
    var reservedBytes: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return reserved
    }

    /// The bytes a reply carrying `size` bytes of file data as base64 holds at its peak: the data,
    /// its base64 text being made, then the text and the serialized frame, plus room for the rest
    /// of the message.
    static func replyCost(ofDataSize size: Int64) -> Int64 {
        size + size * 8 / 3 + (64 << 10)
    }

    /// Replies carrying less file data than this reserve nothing: the worker pool's width bounds
    /// what they hold together (a few MB).
    static let smallReplyDataBytes: Int64 = 64 << 10

    /// Reserves `bytes` within `limit`, waiting while other replies hold too much of it. The
    /// reservation lasts until the reply is written (``RequestContext/holdUntilReplied(_:)``).
    func reserve(_ bytes: Int64, limit: Int64, for what: String, cancellation: CancellationToken) throws -> Reservation {
        guard bytes <= limit else {
            throw ResponseError(
                code: ServerErrorCode.limitExceeded,
                message: "\(what) needs about \(bytes) bytes of memory to answer, more than this session's memory budget of \(limit) bytes; raise memoryBudgetBytes in initialize (or --memory-budget) or read it in parts with readRange")
        }
        condition.lock()
        defer { condition.unlock() }
        while reserved + bytes > limit {
            if cancellation.isCancelled { throw OperationCancelled() }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Self.cancellationPoll))
        }
        reserved += bytes
        return Reservation(budget: self, bytes: bytes)
    }

    fileprivate func release(_ bytes: Int64) {
        condition.lock()
        reserved -= bytes
        condition.broadcast()
        condition.unlock()
    }

    /// Memory held for one reply; given back once by ``release()``.
    final class Reservation: Sendable {
        private let budget: ReplyMemoryBudget
        let bytes: Int64
        private let released = Locked(false)

        fileprivate init(budget: ReplyMemoryBudget, bytes: Int64) {
            self.budget = budget
            self.bytes = bytes
        }

        func release() {
            let first = released.withLock { released -> Bool in
                defer { released = true }
                return !released
            }
            if first { budget.release(bytes) }
        }

        deinit { release() }
    }
}
