import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The queue a `URLSession` delivers its delegate callbacks on: a serial Dispatch queue holding at
/// most ``pendingLimit`` callbacks not yet run; the thread that queues one more waits until one
/// has run.
///
/// FoundationNetworking queues a `didReceive(data:)` callback for every piece of a body as it
/// reads the connection, without waiting for the callbacks to run; a server sending faster than
/// they run (an endless body on loopback) filled memory with queued bodies. Waiting here makes
/// the reading wait too, so memory stays bounded whatever the server sends, and a transfer the
/// client stops costs bandwidth, not memory, until its cancel takes effect.
///
/// A callback is run as a plain Dispatch block, not as an `Operation`: an `OperationQueue` keeps
/// each finished operation, and the body piece its block holds, until its own bookkeeping gets to
/// it, and that bookkeeping falls behind a fast body by thousands of pieces.
/// URLSession only ever adds blocks to its delegate queue, so the rest of `OperationQueue` is not
/// needed here.
///
/// Callbacks on this queue must never wait for the URL loading system's own queue (as
/// `URLSessionTask.cancel()` does): that one may be the thread waiting here. ``TaskExchange``
/// cancels from another queue for that reason.
final class DelegateQueue: OperationQueue, @unchecked Sendable {
    // @unchecked: the semaphore and the Dispatch queue are thread-safe.
    /// Callbacks queued and not yet finished, at most: with pieces of at most 16 KiB (libcurl's
    /// `CURL_MAX_WRITE_SIZE`), about 4 MiB of body.
    static let pendingLimit = 256

    private let slots = DispatchSemaphore(value: DelegateQueue.pendingLimit)
    private let serial: DispatchQueue
    private static let ownQueue = DispatchSpecificKey<ObjectIdentifier>()

    /// A serial queue whose callbacks run on `underlying`.
    init(underlying: DispatchQueue) {
        serial = DispatchQueue(label: "lazywheel.http.callbacks", target: underlying)
        super.init()
        maxConcurrentOperationCount = 1
        serial.setSpecific(key: DelegateQueue.ownQueue, value: ObjectIdentifier(self))
    }

    override func addOperation(_ block: @escaping @Sendable () -> Void) {
        // A callback queueing another would wait for itself.
        let isOwnThread = DispatchQueue.getSpecific(key: DelegateQueue.ownQueue) == ObjectIdentifier(self)
        if isOwnThread {
            serial.async(execute: block)
            return
        }
        slots.wait()
        let slots = slots
        serial.async {
            block()
            slots.signal()
        }
    }
}
