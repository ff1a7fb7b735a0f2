import Foundation

/// Why an ``HTTPRangeSource`` could not read bytes of a remote file: byte-range answers that break
/// RFC 9110 §14 (Range, Content-Range) or §13.1.5 (If-Range), or a file that changed between two
/// requests. Messages say what the server did and what the user can do; URLs carry no credentials.
public enum HTTPRangeError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The server answered 200 with the whole file (larger than the keep-whole limit) instead of 206.
    case rangeIgnored(url: String, size: Int64?)
    /// The file is not the one read before: its ETag, Last-Modified or size changed, or the server
    /// answered an `If-Range` request with the whole (new) file.
    case fileChanged(url: String, detail: String)
    /// The 206 answer's `Content-Range` is missing, malformed or not the range requested.
    case invalidContentRange(url: String, requested: String, received: String?)
    /// The 206 answer's body is not as long as its `Content-Range` says.
    case wrongBodyLength(url: String, expected: Int64, received: Int)
    /// The answer to a range request announced no length (no `Content-Length`): its end is up to
    /// the server, so it is not read.
    case unknownLength(url: String, status: Int)
    /// A whole file (the server ignores ranges) is larger than lazywheel downloads.
    case fileTooLarge(url: String, size: Int64, limit: Int64)
    /// The range answer was sent with a content coding (e.g. gzip), so its bytes are not the file's.
    case contentEncoded(url: String, encoding: String)
    /// The file is empty (416 with `bytes */0`).
    case emptyFile(url: String)
    /// The server answered 416: the range lies outside the file.
    case rangeNotSatisfiable(url: String, requested: String, size: Int64?)
    /// A read asked for bytes past the end of the file.
    case outOfBounds(url: String, requested: Range<Int64>, size: Int64)
    /// The server answered with a status a range request cannot use.
    case unexpectedStatus(url: String, status: Int)

    public var description: String {
        switch self {
        case let .rangeIgnored(url, size):
            let what = size.map { "the whole \(HTTPRangeError.formatSize($0)) file" } ?? "the whole file"
            return "\(url): server ignored the Range header and sent \(what); only wheels are then read front to back, so download this file instead"
        case let .fileChanged(url, detail):
            return "\(url) changed while it was being read (\(detail)); bytes of two versions cannot be mixed, open the file again"
        case let .invalidContentRange(url, requested, received):
            return "\(url): asked for \(requested) but the server answered Content-Range \(received.map { "'\($0)'" } ?? "(missing)"); the server or a proxy in between mishandles byte ranges"
        case let .wrongBodyLength(url, expected, received):
            return "\(url): the range answer carried \(received) bytes but its Content-Range announced \(expected); the server or a proxy in between mishandles byte ranges"
        case let .unknownLength(url, status):
            return "\(url): the server answered a byte-range request with HTTP \(status) and a body of no announced length (no Content-Length); lazywheel does not read a body whose end only the server decides, fix the server or proxy so it sends Content-Length"
        case let .fileTooLarge(url, size, limit):
            return "\(url): the server ignores byte ranges, so the whole \(HTTPRangeError.formatSize(size)) file would have to be downloaded, more than the \(HTTPRangeError.formatSize(limit)) lazywheel downloads whole"
        case let .contentEncoded(url, encoding):
            return "\(url): the server sent a byte range with Content-Encoding '\(encoding)' although identity was asked for; its bytes are not the file's, disable compression of this file on the server or proxy"
        case let .emptyFile(url):
            return "\(url) is empty (0 bytes); it is not a valid wheel or ZIP archive"
        case let .rangeNotSatisfiable(url, requested, size):
            let what = size.map { "the file has \($0) bytes" } ?? "the server did not say how long the file is"
            return "\(url): the server could not satisfy \(requested) (HTTP 416; \(what))"
        case let .outOfBounds(url, requested, size):
            return "\(url): bytes \(requested.lowerBound)..<\(requested.upperBound) lie past the end of the file (\(size) bytes)"
        case let .unexpectedStatus(url, status):
            switch status {
            case 401, 403:
                return "\(url): access denied (HTTP \(status)); check the credentials for this index"
            case 404, 410:
                return "\(url) was not found (HTTP \(status)); check the URL"
            case 300..<400:
                return "\(url): the server answered with a redirect (HTTP \(status)) that was not followed"
            default:
                return "\(url): the server answered HTTP \(status) to a byte-range request"
            }
        }
    }

    public var errorDescription: String? { description }

    /// Whether the answer may have been another request's, read from a reused connection after
    /// a server sent more than it announced: it contradicts what was read before.
    var mayComeFromAReusedConnection: Bool {
        switch self {
        case .fileChanged, .invalidContentRange, .wrongBodyLength: true
        default: false
        }
    }

    /// `16 MB`, `1.5 MB`, `300 KB`, `12 bytes` (decimal units).
    static func formatSize(_ bytes: Int64) -> String {
        func scaled(_ value: Double, _ unit: String) -> String {
            value >= 10 ? "\(Int(value.rounded())) \(unit)" : "\(Double(Int(value * 10)) / 10) \(unit)"
        }
        if bytes >= 1_000_000_000 { return scaled(Double(bytes) / 1e9, "GB") }
        if bytes >= 1_000_000 { return scaled(Double(bytes) / 1e6, "MB") }
        if bytes >= 1_000 { return scaled(Double(bytes) / 1e3, "KB") }
        return "\(bytes) bytes"
    }
}
