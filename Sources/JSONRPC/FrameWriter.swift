import Foundation

/// The frames waiting to be written to a connection's output, written in the order they were
/// queued by a thread of their own.
///
/// The writing thread is a `Thread`, started when a frame arrives while none runs and ending when
/// no frame is left, not a serial Dispatch queue: a sender that waits for its large frame to be
/// written (so that large replies do not pile up in memory) must not need a Dispatch worker for
/// that write to happen, since enough waiting senders hold every worker of Dispatch's pool.
final class FrameWriter: @unchecked Sendable {
    struct Frame {
        var header: [UInt8]
        var body: [UInt8]
    }

    private let name: String
    private let write: @Sendable (Frame) -> Void
    /// Guards every property below.
    private let condition = NSCondition()
    private var frames: [Frame] = []
    /// The index in `frames` of the next frame to write; the ones before it are written.
    private var next = 0
    private var queued: UInt64 = 0
    private var written: UInt64 = 0
    private var writing = false

    /// A writer handing each frame to `write`, which must not throw or stop early: it reports and
    /// absorbs its own failures (a broken output is noted there and later frames are skipped).
    init(name: String, write: @escaping @Sendable (Frame) -> Void) {
        self.name = name
        self.write = write
    }

    /// Queues `frame` after every frame queued before it; with `waitUntilWritten`, returns once it
    /// has been written.
    func enqueue(_ frame: Frame, waitUntilWritten: Bool) {
        condition.lock()
        defer { condition.unlock() }
        frames.append(frame)
        queued += 1
        let sequence = queued
        if !writing {
            writing = true
            let thread = Thread { [self] in drain() }
            thread.name = "\(name).writer"
            thread.start()
        }
        while waitUntilWritten && written < sequence { condition.wait() }
    }

    /// Returns once every frame queued so far has been written.
    func waitUntilWritten() {
        condition.lock()
        defer { condition.unlock() }
        let target = queued
        while written < target { condition.wait() }
    }

    /// Writes frames until none is left, then lets the thread end.
    private func drain() {
        condition.lock()
        while next < frames.count {
            let frame = frames[next]
            frames[next] = Frame(header: [], body: [])
            next += 1
            if next == frames.count {
                frames.removeAll(keepingCapacity: true)
                next = 0
            } else if next >= 1024 && next * 2 >= frames.count {
                frames.removeFirst(next)
                next = 0
            }
            condition.unlock()
            write(frame)
            condition.lock()
            written += 1
            condition.broadcast()
        }
        writing = false
        condition.unlock()
    }
}
