import Foundation

/// Misbehaviours ``TestHTTPServer`` can be told to show, one switch per way real servers and
/// proxies break the HTTP range semantics of RFC 9110 §14 (Range, Content-Range, If-Range) and the
/// message framing of RFC 9112 §6 (Content-Length, connection close).
///
/// Set them for one path or for every path with ``TestHTTPServer/setFaults(_:for:)``. Every switch
/// is off by default, so `ServerFaults()` is a well-behaved server.
public struct ServerFaults: Sendable {
    /// How a server that does not support suffix ranges (`bytes=-N`) answers one.
    public enum SuffixRangeFault: Sendable, Equatable {
        /// Answers every suffix range with this status (e.g. 501, 405, 404, 500) and a short body.
        case refuse(status: Int)
        /// Reads `bytes=-N` as `bytes=0-(N-1)` and answers `206 bytes 0-(N-1)/size`.
        case answerFromStart
    }

    /// A wrong `Content-Range` header on 206 answers; the body is still the requested bytes.
    public enum ContentRangeLie: Sendable, Equatable {
        /// The first-byte position is shifted by this many bytes.
        case start(offsetBy: Int64)
        /// The last-byte position is shifted by this many bytes.
        case end(offsetBy: Int64)
        /// The complete length is shifted by this many bytes.
        case total(offsetBy: Int64)
    }

    /// Something that happens to the body after the headers went out.
    public enum BodyFault: Sendable, Equatable {
        /// Sends half of the body, then closes the connection: `Content-Length` promised more.
        case short
        /// Sends half of the body, then resets the connection (TCP RST via `SO_LINGER` 0).
        case reset
        /// Sends half of the body, waits this many seconds, then sends the rest.
        case stall(seconds: Double)
    }

    /// Where a redirect points.
    public enum RedirectTarget: Sendable, Equatable {
        /// Another path on the same host alias the client used.
        case path(String)
        /// A path on another host alias of this server (for example `localhost` versus
        /// `127.0.0.1`), same port.
        case host(String, path: String)
        /// The requested path itself: a redirect loop.
        case loop
    }

    /// Answers every range request as if `Range` were absent: 200 with the whole file.
    public var ignoreRange = false
    /// How suffix ranges are mishandled; nil serves them correctly.
    public var suffixRanges: SuffixRangeFault?
    /// A wrong `Content-Range` on 206 answers.
    public var contentRangeLie: ContentRangeLie?
    /// Something that goes wrong with the body.
    public var body: BodyFault?
    /// Seconds to wait before sending the response headers (a stalled server).
    public var stallBeforeHeaders: Double = 0
    /// Seconds to wait before answering every request (a simulated round trip).
    public var delay: Double = 0
    /// Answers with this status (e.g. 503) and a short text body instead of the file.
    public var status: Int?
    /// Answers with a redirect (status ``redirectStatus``) to this target.
    public var redirect: RedirectTarget?
    /// The status of ``redirect`` answers: 301, 302, 307 or 308.
    public var redirectStatus = 302
    /// After this many requests for the path, the file is replaced once with ``replacement``
    /// (so its `ETag` and `Last-Modified` change).
    public var replaceAfterRequests: Int?
    /// The new content used by ``replaceAfterRequests``.
    public var replacement: Data?
    /// Adds `Content-Encoding: gzip` to 206 answers (the body is not actually compressed).
    public var gzipRangeResponses = false
    /// Leaves out the `ETag` header.
    public var omitETag = false
    /// Leaves out the `Last-Modified` header.
    public var omitLastModified = false
    /// Sends a weak `ETag` (`W/"…"`), which RFC 9110 §13.1.5 forbids in `If-Range`.
    public var weakETag = false
    /// The faults apply to this many requests only (counted from when they were set); after that
    /// the server behaves. Nil: they apply until replaced. Use it for "fail the first N requests".
    public var limit: Int?

    public init(
        ignoreRange: Bool = false,
        suffixRanges: SuffixRangeFault? = nil,
        contentRangeLie: ContentRangeLie? = nil,
        body: BodyFault? = nil,
        stallBeforeHeaders: Double = 0,
        delay: Double = 0,
        status: Int? = nil,
        redirect: RedirectTarget? = nil,
        redirectStatus: Int = 302,
        replaceAfterRequests: Int? = nil,
        replacement: Data? = nil,
        gzipRangeResponses: Bool = false,
        omitETag: Bool = false,
        omitLastModified: Bool = false,
        weakETag: Bool = false,
        limit: Int? = nil
    ) {
        self.ignoreRange = ignoreRange
        self.suffixRanges = suffixRanges
        self.contentRangeLie = contentRangeLie
        self.body = body
        self.stallBeforeHeaders = stallBeforeHeaders
        self.delay = delay
        self.status = status
        self.redirect = redirect
        self.redirectStatus = redirectStatus
        self.replaceAfterRequests = replaceAfterRequests
        self.replacement = replacement
        self.gzipRangeResponses = gzipRangeResponses
        self.omitETag = omitETag
        self.omitLastModified = omitLastModified
        self.weakETag = weakETag
        self.limit = limit
    }

    /// The first `count` requests fail with `status` (a 5xx or 429), later ones succeed.
    public static func failFirst(_ count: Int, status: Int = 503) -> ServerFaults {
        ServerFaults(status: status, limit: count)
    }
}
