import Foundation
import HTTPRange
import LazyZip
import WorkScheduling

/// The one HTTP operation the index layer needs: a GET with extra header fields, answered with
/// whatever status the server sent (304 included). ``HTTPClient`` provides it through
/// ``HTTPClientTransport``; tests substitute a scripted transport to exercise cache revalidation.
public protocol IndexHTTPTransport: Sendable {
    func get(_ url: URL, headers: HTTPHeaderFields, cancellation: CancellationToken?) throws -> HTTPResponse
}

/// ``IndexHTTPTransport`` over ``HTTPClient``, counting requests in ``TransferStatistics``.
public struct HTTPClientTransport: IndexHTTPTransport {
    public let client: HTTPClient
    public let statistics: TransferStatistics?

    public init(client: HTTPClient, statistics: TransferStatistics? = nil) {
        self.client = client
        self.statistics = statistics
    }

    public func get(_ url: URL, headers: HTTPHeaderFields, cancellation: CancellationToken?) throws -> HTTPResponse {
        try client.get(url, headers: headers, cancellation: cancellation, statistics: statistics)
    }
}
