import Foundation

/// One request ``TestHTTPServer`` received and how it answered, so tests can assert at the server
/// what a client really sent (request counts, `Range`, `If-Range`, `Accept-Encoding`,
/// `Authorization`).
public struct RecordedRequest: Sendable, Equatable {
    /// The request method, e.g. `GET` or `HEAD`.
    public var method: String
    /// The request target's path, without the query.
    public var path: String
    /// The request target as sent (path and query).
    public var uri: String
    /// The request header fields in the order they arrived (names as sent).
    public var headers: [HeaderField]
    /// The status the server answered with.
    public var status: Int
    /// Body bytes the server sent (or started to send, for body faults).
    public var bodyBytes: Int

    /// One header field.
    public struct HeaderField: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        method: String, path: String, uri: String, headers: [HeaderField], status: Int, bodyBytes: Int
    ) {
        self.method = method
        self.path = path
        self.uri = uri
        self.headers = headers
        self.status = status
        self.bodyBytes = bodyBytes
    }

    /// The value of the first header field named `name` (case-insensitive), if present.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The `Range` header, if the request carried one.
    public var range: String? { header("Range") }
}
