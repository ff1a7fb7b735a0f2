import Foundation

/// What ``TestHTTPServer`` will send for one request, decided under its lock before any I/O:
/// status, header fields, body and the timing or framing faults to apply while sending.
struct ResponsePlan: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: Data
    /// Whether the request was HEAD (headers only).
    var isHead: Bool
    /// Seconds to wait before the headers.
    var delayBeforeHeaders: Double
    var bodyFault: ServerFaults.BodyFault?
}

/// A file registered with the server, with the validators of its current version.
struct ServedFile: Sendable {
    var data: Data
    var etag: String
    var lastModified: String

    /// Version `generation` of `data`: the strong ETag names the generation (unique per server)
    /// and size, and `Last-Modified` moves one minute per generation so two versions never share a
    /// date.
    init(data: Data, generation: Int) {
        self.data = data
        self.etag = "\"v\(generation)-\(data.count)\""
        let date = Date(timeIntervalSince1970: 1_700_000_000 + Double(generation) * 60)
        self.lastModified = ServedFile.httpDate(date)
    }

    /// An IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}

/// A parsed `Range` header (RFC 9110 §14.1.2), single range only.
enum RequestedRange: Equatable {
    case bounded(first: Int64, last: Int64?)
    case suffix(length: Int64)

    /// Nil when the header is absent, not `bytes=`, has several ranges or is malformed: RFC 9110
    /// lets a server ignore such a header and send 200.
    init?(header: String?) {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { return nil }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let length = Int64(last), length >= 0 else { return nil }
            self = .suffix(length: length)
        } else {
            guard let start = Int64(first), start >= 0 else { return nil }
            if last.isEmpty {
                self = .bounded(first: start, last: nil)
            } else {
                guard let end = Int64(last), end >= start else { return nil }
                self = .bounded(first: start, last: end)
            }
        }
    }

    /// The satisfied byte positions (inclusive) in a file of `size` bytes, or nil when
    /// unsatisfiable (answered with 416).
    func resolve(size: Int64) -> ClosedRange<Int64>? {
        switch self {
        case let .bounded(first, last):
            guard first < size else { return nil }
            return first...min(last ?? (size - 1), size - 1)
        case let .suffix(length):
            guard length > 0, size > 0 else { return nil }
            return max(0, size - length)...(size - 1)
        }
    }
}
