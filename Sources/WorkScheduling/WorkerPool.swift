import Dispatch
import Foundation

/// A bounded pool of Dispatch worker threads for blocking work (HTTP fetches, inflating, parsing).
///
/// At most ``width`` jobs run at once; the rest wait in FIFO order. Jobs submitted with
/// ``Priority/interactive`` overtake queued ``Priority/speculative`` ones, so work a user is waiting
/// on is served before prefetching.
public final class WorkerPool: Sendable {
    /// Whether a job blocks a caller or only warms a cache.
    public enum Priority: Sendable {
        case interactive
        case speculative
    }

    /// How many jobs may run at once.
    public let width: Int
    private let queue: DispatchQueue
    private let pending: PendingJobs

    /// Creates a pool running at most `width` jobs at once (at least one).
    public init(label: String, width: Int) {
        self.width = max(1, width)
        self.queue = DispatchQueue(label: label, attributes: .concurrent)
        self.pending = PendingJobs(width: self.width)
    }

    /// Runs `job` on a worker thread once a slot is free. No thread waits for a slot: a worker that
    /// finishes a job takes the next one, and a new worker starts only while fewer than ``width`` run.
    public func submit(priority: Priority = .interactive, _ job: @escaping @Sendable () -> Void) {
        guard pending.push(job, priority: priority) else { return }
        queue.async { [pending] in
            while let next = pending.popOrRetire() { next() }
        }
    }

    /// Runs `job` on the pool and blocks the calling thread until it returns its value or throws.
    /// Must not be called from one of this pool's own workers (that could deadlock a full pool).
    public func run<T: Sendable>(
        priority: Priority = .interactive, _ job: @escaping @Sendable () throws -> T
    ) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        submit(priority: priority) {
            box.set(Result { try job() })
            done.signal()
        }
        done.wait()
        return try box.take().get()
    }

    /// Runs `jobs` in parallel on the pool and returns their results in order; the first error is
    /// rethrown after every job has finished.
    public func runAll<T: Sendable>(
        priority: Priority = .interactive, _ jobs: [@Sendable () throws -> T]
    ) throws -> [T] {
        if jobs.count == 1 { return [try jobs[0]()] }
        let boxes = jobs.map { _ in ResultBox<T>() }
        let group = DispatchGroup()
        for (index, job) in jobs.enumerated() {
            group.enter()
            let box = boxes[index]
            submit(priority: priority) {
                box.set(Result { try job() })
                group.leave()
            }
        }
        group.wait()
        return try boxes.map { try $0.take().get() }
    }
}

/// FIFO queues of jobs, interactive before speculative, and the count of running workers.
private final class PendingJobs: @unchecked Sendable {
    private let lock = NSLock()
    private let width: Int
    private var running = 0
    private var interactive = Deque<@Sendable () -> Void>()
    private var speculative = Deque<@Sendable () -> Void>()

    init(width: Int) { self.width = width }

    /// Queues `job`; returns true when the caller must start a new worker for it.
    func push(_ job: @escaping @Sendable () -> Void, priority: WorkerPool.Priority) -> Bool {
        lock.lock(); defer { lock.unlock() }
        switch priority {
        case .interactive: interactive.append(job)
        case .speculative: speculative.append(job)
        }
        guard running < width else { return false }
        running += 1
        return true
    }

    /// The next job, or nil after counting the calling worker out.
    func popOrRetire() -> (@Sendable () -> Void)? {
        lock.lock(); defer { lock.unlock() }
        if let job = interactive.popFirst() ?? speculative.popFirst() { return job }
        running -= 1
        return nil
    }
}

/// A minimal FIFO with amortised O(1) removal at the front.
private struct Deque<Element> {
    private var items: [Element] = []
    private var head = 0

    mutating func append(_ item: Element) { items.append(item) }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}

/// A value handed from a worker thread to the thread waiting for it.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) {
        lock.lock(); result = value; lock.unlock()
    }

    func take() -> Result<T, any Error> {
        lock.lock(); defer { lock.unlock() }
        return result ?? .failure(OperationCancelled())
    }
}
