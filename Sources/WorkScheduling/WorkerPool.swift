import Foundation

/// A bounded pool of worker threads for blocking work (HTTP fetches, inflating, parsing).
///
/// Jobs run on dedicated `Thread`s, at most ``width`` of them, taking jobs in FIFO order. Jobs
/// submitted with ``Priority/interactive`` overtake queued ``Priority/speculative`` ones, so work a
/// user is waiting on is served before prefetching. Dedicated threads rather than a concurrent
/// Dispatch queue: on Linux, libdispatch gives blocking jobs about one thread per CPU, which
/// serializes fetches that spend their time waiting on the network.
///
/// Threads are not started for every job, though: only while fewer than ``parallelism`` of the
/// pool's threads are busy on the CPU. A job about to wait for something else (an HTTP answer,
/// another pool's jobs) says so with ``WorkerPool/blocking(_:)``, and the pool then starts another
/// thread for its queue if it has fewer than ``width``. Jobs answered from memory or a disk cache
/// thus run on about as many threads as there are CPUs (a thread per job would start threads that
/// have nothing to wait for), while jobs waiting on the network still overlap up to ``width``.
public final class WorkerPool: Sendable {
    /// Whether a job blocks a caller or only warms a cache.
    public enum Priority: Sendable {
        case interactive
        case speculative
    }

    /// How many jobs may run at once.
    public let width: Int
    /// How many of the pool's threads may be busy outside ``blocking(_:)`` before a queued job
    /// waits for one of them instead of getting a thread of its own.
    public let parallelism: Int
    private let jobs: PendingJobs

    /// Creates a pool running at most `width` jobs at once (at least one), with at most
    /// `parallelism` of them (default: one per CPU) outside ``blocking(_:)``. Threads start on
    /// demand and stay for the life of the pool.
    public init(label: String, width: Int, parallelism: Int = AvailableProcessors.count) {
        self.width = max(1, width)
        self.parallelism = min(self.width, max(1, parallelism))
        self.jobs = PendingJobs(label: label, width: self.width, parallelism: self.parallelism)
    }

    deinit {
        jobs.shutDown()
    }

    /// Runs `job` on a worker thread once one is free.
    public func submit(priority: Priority = .interactive, _ job: @escaping @Sendable () -> Void) {
        if jobs.push(job, priority: priority) { jobs.startThread() }
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
        WorkerPool.blocking { done.wait() }
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
        WorkerPool.blocking { group.wait() }
        return try boxes.map { try $0.take().get() }
    }

    /// Runs `body`, which waits for something other than the CPU: an HTTP answer, a timer, a job
    /// on another thread. On one of a pool's workers the pool counts the thread as waiting
    /// meanwhile, and starts another thread for its queued jobs if that keeps it within its
    /// ``width``. Anywhere else it only runs `body`. `body` should not call `blocking` again (a
    /// nested call would count the thread as waiting twice).
    public static func blocking<T, Failure: Error>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        guard let jobs = PendingJobs.ofCurrentThread else { return try body() }
        if jobs.beginBlocking() { jobs.startThread() }
        defer { jobs.endBlocking() }
        return try body()
    }
}

/// FIFO queues of jobs, interactive before speculative, and the pool's threads' bookkeeping.
private final class PendingJobs: @unchecked Sendable {
    private let condition = NSCondition()
    private let label: String
    private let width: Int
    private let parallelism: Int
    private var threads = 0
    private var idle = 0
    private var blocked = 0
    private var closed = false
    private var interactive = Deque<@Sendable () -> Void>()
    private var speculative = Deque<@Sendable () -> Void>()

    init(label: String, width: Int, parallelism: Int) {
        self.label = label
        self.width = width
        self.parallelism = parallelism
    }

    /// The pool whose worker the calling thread is, if any.
    static var ofCurrentThread: PendingJobs? {
        guard let pointer = pthread_getspecific(currentKey) else { return nil }
        return Unmanaged<PendingJobs>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// The thread-specific slot naming a worker's pool (set for the life of the worker thread,
    /// which holds a strong reference to the pool's jobs).
    private static let currentKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    /// Threads busy on the CPU (running a job outside ``WorkerPool/blocking(_:)``), counting
    /// threads just started, which are about to take a job.
    private var busy: Int { threads - idle - blocked }

    /// Whether a queued job should get a new thread now; the caller starts it. Call locked.
    private func needsThread() -> Bool {
        guard idle == 0, threads < width, busy < parallelism, !(interactive.isEmpty && speculative.isEmpty) else {
            return false
        }
        threads += 1
        return true
    }

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
        return needsThread()
    }

    /// Counts the calling worker as waiting; returns true when the caller must start a new
    /// thread for the queue.
    func beginBlocking() -> Bool {
        condition.lock(); defer { condition.unlock() }
        blocked += 1
        if idle > 0 && !(interactive.isEmpty && speculative.isEmpty) {
            condition.signal()
            return false
        }
        return needsThread()
    }

    func endBlocking() {
        condition.lock(); defer { condition.unlock() }
        blocked -= 1
    }

    /// Starts a worker thread, already counted in `threads`.
    func startThread() {
        let thread = Thread { [self] in
            pthread_setspecific(Self.currentKey, Unmanaged.passUnretained(self).toOpaque())
            while let next = next() { next() }
            pthread_setspecific(Self.currentKey, nil)
        }
        thread.name = label
        thread.stackSize = 1 << 20
        thread.start()
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

    var isEmpty: Bool { head == items.count }

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
