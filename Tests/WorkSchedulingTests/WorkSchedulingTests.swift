import Foundation
import Testing
@testable import WorkScheduling

@Suite struct CancellationTokenTests {
    @Test func handlersRunOnceOnCancel() {
        let token = CancellationToken()
        let count = Locked(0)
        token.onCancel { count.withLock { $0 += 1 } }
        token.cancel()
        token.cancel()
        #expect(count.withLock { $0 } == 1)
        #expect(token.isCancelled)
        #expect(throws: OperationCancelled.self) { try token.throwIfCancelled() }
    }

    @Test func lateHandlerRunsImmediately() {
        let token = CancellationToken()
        token.cancel()
        let ran = Locked(false)
        token.onCancel { ran.withLock { $0 = true } }
        #expect(ran.withLock { $0 })
    }

    @Test func removedHandlerDoesNotRun() {
        let token = CancellationToken()
        let ran = Locked(false)
        let key = token.onCancel { ran.withLock { $0 = true } }
        token.removeHandler(key)
        token.cancel()
        #expect(!ran.withLock { $0 })
    }
}

@Suite struct WorkerPoolTests {
    @Test func neverRunsMoreThanWidthAtOnce() throws {
        let pool = WorkerPool(label: "test", width: 3)
        let running = Locked((now: 0, peak: 0))
        let jobs: [@Sendable () throws -> Int] = (0..<20).map { index in
            {
                running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                WorkerPool.blocking { Thread.sleep(forTimeInterval: 0.005) }
                running.withLock { $0.now -= 1 }
                return index
            }
        }
        let results = try pool.runAll(jobs)
        #expect(results == Array(0..<20))
        #expect(running.withLock { $0.peak } <= 3)
    }

    @Test func errorsPropagate() {
        struct Boom: Error {}
        let pool = WorkerPool(label: "test", width: 2)
        #expect(throws: Boom.self) { try pool.run { () throws -> Int in throw Boom() } }
    }
}

@Suite struct WorkerPoolParallelismTests {
    /// Blocking jobs really run side by side (a pool on a Dispatch queue got ~1 thread per CPU).
    @Test func blockingJobsOverlap() throws {
        let pool = WorkerPool(label: "test", width: 8, parallelism: 1)
        let running = Locked((now: 0, peak: 0))
        let jobs: [@Sendable () throws -> Void] = (0..<16).map { _ in
            {
                running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                WorkerPool.blocking { Thread.sleep(forTimeInterval: 0.05) }
                running.withLock { $0.now -= 1 }
            }
        }
        _ = try pool.runAll(jobs)
        #expect(running.withLock { $0.peak } == 8)
    }

    /// Jobs that never say they wait run on `parallelism` threads, however many are queued.
    @Test func jobsThatDoNotWaitGetNoMoreThreadsThanParallelism() throws {
        let pool = WorkerPool(label: "test", width: 8, parallelism: 2)
        let threads = Locked(Set<String>())
        let running = Locked((now: 0, peak: 0))
        let jobs: [@Sendable () throws -> Void] = (0..<40).map { _ in
            {
                running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                threads.withLock { _ = $0.insert("\(pthread_self())") }
                Thread.sleep(forTimeInterval: 0.002)  // busy, as far as the pool knows
                running.withLock { $0.now -= 1 }
            }
        }
        _ = try pool.runAll(jobs)
        #expect(running.withLock { $0.peak } <= 2)
        #expect(threads.withLock { $0.count } <= 2)
    }

    /// A job waiting on another pool (through `run`/`runAll`) lets its own pool start a thread
    /// for the next queued job, so two levels of pools cannot starve each other.
    @Test func waitingForAnotherPoolFreesTheThread() throws {
        let outer = WorkerPool(label: "outer", width: 4, parallelism: 1)
        let inner = WorkerPool(label: "inner", width: 4, parallelism: 1)
        let gate = DispatchSemaphore(value: 0)
        let started = Locked(0)
        // Four outer jobs that each wait for an inner job; the inner jobs wait until all four
        // outer jobs have started, which needs four outer threads at once.
        let jobs: [@Sendable () throws -> Int] = (0..<4).map { index in
            {
                started.withLock { $0 += 1 }
                return try inner.run {
                    while started.withLock({ $0 }) < 4 {
                        _ = WorkerPool.blocking { gate.wait(timeout: .now() + .milliseconds(5)) }
                    }
                    return index
                }
            }
        }
        #expect(try outer.runAll(jobs) == [0, 1, 2, 3])
    }

    @Test func blockingOutsideAPoolJustRunsTheBody() {
        #expect(WorkerPool.blocking { 42 } == 42)
    }

    @Test func interactiveJobsOvertakeQueuedSpeculativeOnes() throws {
        let pool = WorkerPool(label: "test", width: 1)
        let order = Locked<[String]>([])
        let gate = DispatchSemaphore(value: 0)
        pool.submit { gate.wait() }
        for index in 0..<3 { pool.submit(priority: .speculative) { order.withLock { $0.append("s\(index)") } } }
        pool.submit(priority: .interactive) { order.withLock { $0.append("i") } }
        gate.signal()
        _ = try pool.run(priority: .speculative) { 0 }
        #expect(order.withLock { $0 }.first == "i")
    }
}
