import Foundation

/// HTTP header fields with case-insensitive names (RFC 9110 §5.1). One value per name: a repeated
/// field is kept as the comma-joined list (§5.3).
public struct HTTPHeaderFields: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private var fields: [String: (name: String, value: String)] = [:]

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { self[name] = value }
    }

    public init(_ pairs: [String: String]) {
        for (name, value) in pairs { self[name] = value }
    }

    /// The value of the field `name`, case-insensitively; setting nil removes it.
    public subscript(name: String) -> String? {
        get { fields[name.lowercased()]?.value }
        set {
            if let newValue { fields[name.lowercased()] = (name, newValue) } else { fields[name.lowercased()] = nil }
        }
    }

    /// Every field as (name as first set, value), sorted by lowercased name.
    public var all: [(name: String, value: String)] {
        fields.keys.sorted().compactMap { fields[$0] }
    }

    public static func == (lhs: HTTPHeaderFields, rhs: HTTPHeaderFields) -> Bool {
        lhs.fields.mapValues(\.value) == rhs.fields.mapValues(\.value)
    }
}

/// An HTTP request (RFC 9110 §9): method, URL and header fields. Credentials in the URL's userinfo
/// are sent as a Basic `Authorization` header by ``HTTPClient`` and never appear in messages.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: HTTPHeaderFields
    /// Stop reading and hand back the headers (``HTTPResponse/bodyIsComplete`` false) when the
    /// answer carries a `Content-Encoding` other than `identity`: a range of an encoded
    /// representation is not a range of the file (RFC 9110 §8.4, §14.1).
    public var rejectsContentEncoding: Bool

    public init(method: String = "GET", url: URL, headers: HTTPHeaderFields = [:], rejectsContentEncoding: Bool = true) {
        self.method = method
        self.url = url
        self.headers = headers
        self.rejectsContentEncoding = rejectsContentEncoding
    }
}

/// The answer to an ``HTTPRequest`` after redirects.
public struct HTTPResponse: Sendable {
    /// The status code (RFC 9110 §15).
    public var status: Int
    public var headers: HTTPHeaderFields
    /// The body bytes received. When ``bodyIsComplete`` is false this is only what arrived before
    /// the client stopped reading.
    public var body: Data
    /// The URL that answered (after redirects), without credentials.
    public var url: URL
    /// False when the client stopped reading early: the body was larger than the caller's limit,
    /// or it had a `Content-Encoding` the request rejected.
    public var bodyIsComplete: Bool
    /// How many redirects were followed.
    public var redirects: Int

    public init(status: Int, headers: HTTPHeaderFields, body: Data, url: URL, bodyIsComplete: Bool = true, redirects: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        self.bodyIsComplete = bodyIsComplete
        self.redirects = redirects
    }

    /// The value of `Content-Length`, when present and valid.
    public var contentLength: Int64? {
        headers["Content-Length"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The content coding, lowercased; nil or `identity` mean none.
    public var contentEncoding: String? {
        headers["Content-Encoding"].map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }
}
