import Dispatch
import Foundation
import HTTPRange
import LazyZip
import Testing
import TestSupport
import WorkScheduling

/// Cancelling a token aborts the request in flight: the call returns at once with
/// ``OperationCancelled`` and the server sees the connection close.
@Suite struct CancellationTests {
    /// Runs `work` on another thread, cancels `token` once `server` has received a request (and
    /// `delay` more seconds passed), and returns what `work` threw and how long after the cancel
    /// it returned.
    private func cancelDuring(
        _ server: TestHTTPServer, delay: Double = 0.1, _ work: @escaping @Sendable (CancellationToken) throws -> Void
    ) -> (error: (any Error)?, secondsAfterCancel: Double) {
        let token = CancellationToken()
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do { try work(token) } catch { outcome.set(error) }
            done.signal()
        }
        _ = eventually(within: 5) { !server.requests.isEmpty }
        Thread.sleep(forTimeInterval: delay)
        let cancelled = Date()
        token.cancel()
        _ = done.wait(timeout: .now() + 10)
        return (outcome.error, Date().timeIntervalSince(cancelled))
    }

    @Test func stalledBeforeHeaders() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(10_000))
            fixture.server.setFaults(ServerFaults(stallBeforeHeaders: 5), for: "/w.whl")
            let source = fixture.source("/w.whl")
            let result = cancelDuring(fixture.server) { token in _ = try source.readTail(length: 100, cancellation: token) }
            #expect(result.error is OperationCancelled)
            #expect(result.secondsAfterCancel < 2)
            #expect(eventually { fixture.server.connectionsClosed >= 1 })
            #expect(fixture.server.requests.count == 1)
        }
    }

    @Test func stalledMidBody() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(100_000))
            fixture.server.setFaults(ServerFaults(body: .stall(seconds: 5)), for: "/w.whl")
            let source = fixture.source("/w.whl")
            let result = cancelDuring(fixture.server) { token in _ = try source.read(0..<100_000, cancellation: token) }
            #expect(result.error is OperationCancelled)
            #expect(result.secondsAfterCancel < 2)
            #expect(eventually { fixture.server.connectionsClosed >= 1 })
        }
    }

    @Test func duringBackoffBetweenRetries() throws {
        let slowRetry = RetryPolicy(maxAttempts: 5, initialDelay: 5, multiplier: 1, maxDelay: 5)
        try Fixture.with(retry: slowRetry) { fixture in
            fixture.server.setFaults(ServerFaults(status: 503), for: "/w.whl")
            let client = fixture.client
            let url = fixture.server.url("/w.whl")
            let result = cancelDuring(fixture.server) { token in _ = try client.get(url, cancellation: token) }
            #expect(result.error is OperationCancelled)
            #expect(result.secondsAfterCancel < 2)
            #expect(fixture.server.requests.count == 1)
        }
    }

    @Test func alreadyCancelledSendsNothing() throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/w.whl", data: sampleData(100))
            let token = CancellationToken()
            token.cancel()
            let error = caughtError { _ = try fixture.source("/w.whl").readTail(length: 10, cancellation: token) }
            #expect(error is OperationCancelled)
            #expect(fixture.server.requests.isEmpty)
        }
    }
}

/// The error a background job threw.
private final class Outcome: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value: (any Error)?

    func set(_ error: any Error) {
        lock.lock(); value = error; lock.unlock()
    }

    var error: (any Error)? {
        lock.lock(); defer { lock.unlock() }
        return value
    }
}
