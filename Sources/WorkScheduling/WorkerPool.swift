import Foundation

/// A bounded pool of worker threads for blocking work (HTTP fetches, inflating, parsing).
///
/// At most ``width`` jobs run at once, each on a dedicated `Thread`; the rest wait in FIFO order.
/// Jobs submitted with ``Priority/interactive`` overtake queued ``Priority/speculative`` ones, so
/// work a user is waiting on is served before prefetching. Dedicated threads rather than a
/// concurrent Dispatch queue: on Linux, libdispatch gives blocking jobs about one thread per CPU,
/// which serializes fetches that spend their time waiting on the network.
public final class WorkerPool: Sendable {
    /// Whether a job blocks a caller or only warms a cache.
    public enum Priority: Sendable {
        case interactive
        case speculative
    }

    /// How many jobs may run at once.
    public let width: Int
    private let label: String
    private let jobs: PendingJobs

    /// Creates a pool running at most `width` jobs at once (at least one). Threads start on demand
    /// and stay for the life of the pool.
    public init(label: String, width: Int) {
        self.width = max(1, width)
        self.label = label
        self.jobs = PendingJobs(width: self.width)
    }

    deinit {
        jobs.shutDown()
    }

    /// Runs `job` on a worker thread once one is free.
    public func submit(priority: Priority = .interactive, _ job: @escaping @Sendable () -> Void) {
        guard jobs.push(job, priority: priority) else { return }
        let thread = Thread { [jobs] in
            while let next = jobs.next() { next() }
        }
        thread.name = label
        thread.stackSize = 1 << 20
        thread.start()
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

/// FIFO queues of jobs, interactive before speculative, and the pool's threads' bookkeeping.
private final class PendingJobs: @unchecked Sendable {
    private let condition = NSCondition()
    private let width: Int
    private var threads = 0
    private var idle = 0
    private var closed = false
    private var interactive = Deque<@Sendable () -> Void>()
    private var speculative = Deque<@Sendable () -> Void>()

    init(width: Int) { self.width = width }

    /// Queues `job`; returns true when the caller must start a new thread for it.
    func push(_ job: @escaping @Sendable () -> Void, priority: WorkerPool.Priority) -> Bool {
        condition.lock(); defer { condition.unlock() }
        switch priority {
        case .interactive: interactive.append(job)
        case .speculative: speculative.append(job)
        }
        if idle > 0 {
            condition.signal()
            return false
        }
        guard threads < width else { return false }
        threads += 1
        return true
    }

    /// The next job, waiting while there is none; nil once the pool is gone.
    func next() -> (@Sendable () -> Void)? {
        condition.lock(); defer { condition.unlock() }
        while true {
            if let job = interactive.popFirst() ?? speculative.popFirst() { return job }
            if closed {
                threads -= 1
                return nil
            }
            idle += 1
            condition.wait()
            idle -= 1
        }
    }

    /// Lets idle threads end once the queues are empty.
    func shutDown() {
        condition.lock(); defer { condition.unlock() }
        closed = true
        condition.broadcast()
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
