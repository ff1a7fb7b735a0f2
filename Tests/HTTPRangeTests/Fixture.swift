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
                requestTimeout: requestTimeout, attemptDeadline: 30, maxConnectionsPerHost: 8,
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

/// `count` bytes of a recognisable pattern, cheap to build even in debug builds (differs per `seed`).
func sampleData(_ count: Int, seed: Int = 7) -> Data {
    var data = Data(count: count)
    data.withUnsafeMutableBytes { (buffer: UnsafeMutableRawBufferPointer) in
        for index in 0..<count {
            buffer[index] = UInt8(truncatingIfNeeded: index &* 31 &+ seed &+ index / 251)
        }
    }
    return data
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

/// The text of `error`, or "" when there is none.
func message(of error: (any Error)?) -> String {
    error.map { String(describing: $0) } ?? ""
}
