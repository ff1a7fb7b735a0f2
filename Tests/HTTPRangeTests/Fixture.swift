import Foundation
import HTTPRange
import LazyZip
import TestSupport
import WorkScheduling

/// A started test server, a client with small timeouts and backoffs, and shared statistics.
struct Fixture {
    let server: TestHTTPServer
    let client: HTTPClient
    let statistics = TransferStatistics()
    let capabilities = HostCapabilities()

    static let fastRetry = RetryPolicy(maxAttempts: 3, initialDelay: 0.01, multiplier: 2, maxDelay: 0.05)

    /// Runs `body` with a fresh server (shut down afterwards).
    static func with<T>(
        retry: RetryPolicy = fastRetry, requestTimeout: Double = 5, maxRedirects: Int = 5,
        _ body: (Fixture) throws -> T
    ) throws -> T {
        let server = TestHTTPServer()
        try server.start()
        defer { try? server.shutdown() }
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(
                requestTimeout: requestTimeout, resourceTimeout: 30, maxConnectionsPerHost: 8,
                maxRedirects: maxRedirects, retry: retry))
        return try body(Fixture(server: server, client: client))
    }

    func source(_ path: String, knownSize: Int64? = nil, wholeFileLimit: Int = 1 << 20, host: String = "127.0.0.1")
        -> HTTPRangeSource
    {
        HTTPRangeSource(
            url: server.url(path, host: host), client: client, capabilities: capabilities, statistics: statistics,
            knownSize: knownSize, wholeFileLimit: wholeFileLimit)
    }
}

/// `count` bytes of a recognisable pattern (differs per `seed`).
func sampleData(_ count: Int, seed: Int = 7) -> Data {
    Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &+ $0 / 251) })
}

/// The error `body` throws, or nil.
func caughtError(_ body: () throws -> Void) -> (any Error)? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// Waits up to `seconds` for `condition`, polling.
func eventually(within seconds: Double = 3, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}
