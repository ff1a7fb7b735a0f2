import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The operation queue a `URLSession` delivers its delegate callbacks on, holding at most
/// ``pendingLimit`` callbacks not yet run: the thread that queues one more waits until one has run.
///
/// FoundationNetworking queues a `didReceive(data:)` callback for every piece of a body as it
/// reads the connection, without waiting for the callbacks to run; a server sending faster than
/// they run (an endless body on loopback) filled memory with queued bodies. Waiting here makes
/// the reading wait too, so memory stays bounded whatever the server sends, and a transfer the
/// client stops costs bandwidth, not memory, until its cancel takes effect.
///
/// Callbacks on this queue must never wait for the URL loading system's own queue (as
/// `URLSessionTask.cancel()` does): that one may be the thread waiting here. ``TaskExchange``
/// cancels from another queue for that reason.
final class DelegateQueue: OperationQueue, @unchecked Sendable {
    // @unchecked: the semaphore is thread-safe; OperationQueue guards its own state.
    /// Callbacks queued and not yet finished, at most: with pieces of at most 16 KiB (libcurl's
    /// `CURL_MAX_WRITE_SIZE`), about 4 MiB of body.
    static let pendingLimit = 256

    private let slots = DispatchSemaphore(value: DelegateQueue.pendingLimit)

    /// A serial queue whose operations run on `underlying`.
    init(underlying: DispatchQueue) {
        super.init()
        maxConcurrentOperationCount = 1
        underlyingQueue = underlying
    }

    override func addOperation(_ block: @escaping @Sendable () -> Void) {
        // A callback queueing another would wait for itself.
        let isOwnThread = OperationQueue.current === self
        if !isOwnThread { slots.wait() }
        let slots = slots
        super.addOperation {
            defer { if !isOwnThread { slots.signal() } }
            block()
        }
    }
}
