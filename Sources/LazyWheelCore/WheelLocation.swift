import Foundation
import HTTPRange

/// Where a wheel lives: an `http(s)` URL read with range requests, or a local file (a path or a
/// `file://` URL) read the same way without HTTP.
public enum WheelLocation: Sendable, Hashable, CustomStringConvertible {
    case remote(URL)
    case local(path: String)

    /// Parses what a user typed or a client sent. Only `http`, `https` and `file` are accepted,
    /// and `file` (and plain paths) only when `allowFiles` is true.
    public init(parsing text: String, allowFiles: Bool = true) throws(WheelLocationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .empty }
        if let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme.count > 1 {
            switch scheme {
            case "http", "https":
                guard url.host != nil, !(url.host ?? "").isEmpty else { throw .malformedURL(trimmed) }
                self = .remote(url)
            case "file":
                guard allowFiles else { throw .fileURLsNotAllowed(trimmed) }
                self = .local(path: url.path)
            default:
                throw .unsupportedScheme(scheme)
            }
            return
        }
        guard allowFiles else { throw .fileURLsNotAllowed(trimmed) }
        self = .local(path: trimmed)
    }

    /// The last path component: the wheel's file name when the location names one.
    public var filename: String {
        switch self {
        case .remote(let url): url.lastPathComponent.removingPercentEncoding ?? url.lastPathComponent
        case .local(let path): (path as NSString).lastPathComponent
        }
    }

    /// The location for messages, without credentials.
    public var description: String {
        switch self {
        case .remote(let url):
            return URLCredentials.redacted(url)
        case .local(let path):
            return path
        }
    }
}

/// Why a string is not a usable wheel location.
public enum WheelLocationError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case malformedURL(String)
    case unsupportedScheme(String)
    case fileURLsNotAllowed(String)

    public var description: String {
        switch self {
        case .empty: "no wheel location given: pass an http(s) URL, a file:// URL or a path"
        case .malformedURL(let text): "'\(text)' is not a valid URL"
        case .unsupportedScheme(let scheme):
            "the URL scheme '\(scheme)' is not supported: use http, https or file"
        case .fileURLsNotAllowed(let text):
            "local files are not allowed in this session ('\(text)'); start the server with --allow-files or pass allowFileURLs in initialize"
        }
    }
}
