import Foundation
import JSONRPC
import WorkScheduling

/// A request of the lazywheel protocol: its params type (the conforming type), its result type and
/// how the session answers it. One file per method in `Methods/`.
protocol ServerMethod: RequestType {
    /// The LSP work-done token the client passed, if any.
    var workDoneToken: ProgressToken? { get }

    /// Answers from memory alone when that is possible (cached data, bookkeeping), on the
    /// connection's thread; nil when the request needs I/O and must go to the worker pool. Lets a
    /// cached `getMetadata` overtake slow fetches queued before it.
    func answerFromMemory(in session: ServerSession) throws -> Response?

    /// Answers the request, blocking on I/O as needed, on a worker thread.
    func answer(in context: RequestContext) throws -> Response
}

extension ServerMethod {
    var workDoneToken: ProgressToken? { nil }
    func answerFromMemory(in session: ServerSession) throws -> Response? { nil }
}

/// What a request's handler has at hand: the session, the request's cancellation and its progress.
struct RequestContext: Sendable {
    let session: ServerSession
    let cancellation: CancellationToken
    let progress: ProgressReporter
    /// Memory reserved for the reply, given back once the reply has been written.
    let replyMemory = ReplyMemoryHold()

    /// Reserves memory for a reply carrying `size` bytes of `wheel`'s data from the session's
    /// budget (waiting while other replies hold it), kept until the reply is written.
    func reserveReplyMemory(forDataSize size: Int64, of wheel: SessionWheel, what: String) throws {
        guard size >= ReplyMemoryBudget.smallReplyDataBytes else { return }
        let session = session
        let reservation = try session.replyMemory.reserve(
            ReplyMemoryBudget.replyCost(ofDataSize: size), limit: session.memoryBudget, for: what,
            cancellation: cancellation)
        replyMemory.keep(reservation)
        // The interval caches give way to the replies in progress.
        session.wheels.enforce(budget: session.cacheBudget, after: wheel)
    }
}

/// The reservations of one request, released after its reply was written.
final class ReplyMemoryHold: Sendable {
    private let reservations = Locked<[ReplyMemoryBudget.Reservation]>([])

    func keep(_ reservation: ReplyMemoryBudget.Reservation) {
        reservations.withLock { $0.append(reservation) }
    }

    func releaseAll() {
        let held = reservations.withLock { held in
            defer { held.removeAll() }
            return held
        }
        for reservation in held { reservation.release() }
    }
}
