import Foundation
import HTTPRange
import Testing
import TestSupport

/// Retries with backoff on transient statuses and broken transfers, then a clear error.
@Suite struct HTTPClientRetryTests {
    @Test(arguments: [500, 502, 503, 504, 429])
    func transientStatusThenSuccessIsRetried(status: Int) throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f", data: sampleData(100))
            fixture.server.setFaults(.failFirst(2, status: status), for: "/f")
            let response = try fixture.client.send(
                HTTPRequest(url: fixture.server.url("/f"), headers: ["Range": "bytes=0-9"]),
                statistics: fixture.statistics)
            #expect(response.status == 206)
            #expect(response.body == sampleData(100).prefix(10))
            #expect(fixture.server.requests(for: "/f").map(\.status) == [status, status, 206])
            #expect(fixture.statistics.snapshot.requests == 3)
        }
    }

    @Test func persistentServerErrorNamesURLStatusAndAttempts() throws {
        try Fixture.with { fixture in
            fixture.server.setFaults(ServerFaults(status: 503), for: "/f")
            let error = caughtError { _ = try fixture.client.get(fixture.server.url("/f")) }
            let clientError = try #require(error as? HTTPClientError)
            #expect(clientError == .serverUnavailable(url: fixture.server.url("/f").absoluteString, status: 503, attempts: 3))
            #expect(clientError.description.contains("503"))
            #expect(clientError.description.contains(fixture.server.url("/f").absoluteString))
            #expect(fixture.server.requests.count == 3)
        }
    }

    @Test func reconfiguredRetriesApplyToTheNextRequest() throws {
        try Fixture.with { fixture in
            fixture.server.setFaults(ServerFaults(status: 503), for: "/f")
            _ = caughtError { _ = try fixture.client.get(fixture.server.url("/f")) }
            #expect(fixture.server.requests.count == 3)
            fixture.client.reconfigure(try fixture.client.configuration.applying(timeout: nil, retries: 0))
            let error = caughtError { _ = try fixture.client.get(fixture.server.url("/f")) }
            #expect((error as? HTTPClientError) == .serverUnavailable(url: fixture.server.url("/f").absoluteString, status: 503, attempts: 1))
            #expect(fixture.server.requests.count == 4)
        }
    }

    @Test func notFoundIsNotRetried() throws {
        try Fixture.with { fixture in
            let response = try fixture.client.get(fixture.server.url("/missing"))
            #expect(response.status == 404)
            #expect(fixture.server.requests.count == 1)
        }
    }

    @Test(arguments: [ServerFaults.BodyFault.short, .reset])
    func brokenBodyIsRetriedThenSucceeds(fault: ServerFaults.BodyFault) throws {
        try Fixture.with { fixture in
            let data = sampleData(64 * 1024)
            fixture.server.setFile("/f", data: data)
            fixture.server.setFaults(ServerFaults(body: fault, limit: 1), for: "/f")
            let response = try fixture.client.send(
                HTTPRequest(url: fixture.server.url("/f"), headers: ["Range": "bytes=0-65535"]))
            #expect(response.status == 206)
            #expect(response.body == data)
            #expect(fixture.server.requests(for: "/f").count == 2)
        }
    }

    @Test(arguments: [ServerFaults.BodyFault.short, .reset])
    func brokenBodyEveryTimeIsAConnectionError(fault: ServerFaults.BodyFault) throws {
        try Fixture.with { fixture in
            fixture.server.setFile("/f", data: sampleData(64 * 1024))
            fixture.server.setFaults(ServerFaults(body: fault), for: "/f")
            let error = caughtError {
                _ = try fixture.client.send(HTTPRequest(url: fixture.server.url("/f"), headers: ["Range": "bytes=0-65535"]))
            }
            guard case let .connectionFailed(url, _, attempts) = error as? HTTPClientError else {
                Issue.record("expected a connection error, got \(String(describing: error))")
                return
            }
            #expect(url == fixture.server.url("/f").absoluteString)
            #expect(attempts == 3)
        }
    }

    @Test func stalledServerTimesOutThenClearError() throws {
        let retry = RetryPolicy(maxAttempts: 2, initialDelay: 0.01, multiplier: 1, maxDelay: 0.01)
        try Fixture.with(retry: retry, requestTimeout: 0.3) { fixture in
            fixture.server.setFile("/f", data: sampleData(100))
            fixture.server.setFaults(ServerFaults(stallBeforeHeaders: 3), for: "/f")
            let error = caughtError { _ = try fixture.client.get(fixture.server.url("/f")) }
            #expect(error as? HTTPClientError == .timedOut(url: fixture.server.url("/f").absoluteString, seconds: 0.3, attempts: 2))
            #expect((error as? HTTPClientError)?.description.contains("did not answer within 300 ms") == true)
        }
    }

    @Test func refusedConnectionIsAConnectionError() throws {
        let closed = try ClosedPort()
        let url = closed.url("/f")
        let client = HTTPClient(configuration: HTTPClientConfiguration(retry: Fixture.fastRetry))
        let error = caughtError { _ = try client.get(url) }
        guard case let .connectionFailed(_, reason, attempts) = error as? HTTPClientError else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("connect"))
        #expect(attempts == 3)
        withExtendedLifetime(closed) {}
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(maxAttempts: 6, initialDelay: 0.1, multiplier: 2, maxDelay: 0.5)
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [0.1, 0.2, 0.4, 0.5, 0.5])
    }
}
