import Foundation
import LazyZip
import HTTPRange
import WorkScheduling

/// The freshness rules of an HTTP response for a private cache (RFC 9111 §4.2, §5.2.2):
/// `Cache-Control: max-age`, `no-cache`, `no-store`, `must-revalidate`, and the `Age` header.
/// A response without `max-age` is stale at once and is revalidated when it has a validator.
public struct CacheDirectives: Sendable, Equatable, Codable {
    public var maxAge: Int?
    public var noCache = false
    public var noStore = false

    public init(maxAge: Int? = nil, noCache: Bool = false, noStore: Bool = false) {
        self.maxAge = maxAge
        self.noCache = noCache
        self.noStore = noStore
    }

    /// Parses a `Cache-Control` field value (directive names are case-insensitive).
    public init(cacheControl: String?) {
        guard let cacheControl else { return }
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            switch parts.first?.lowercased() {
            case "max-age": maxAge = parts.count > 1 ? Int(parts[1]) : nil
            case "no-cache": noCache = true
            case "no-store": noStore = true
            case "must-revalidate", "proxy-revalidate":
                if maxAge == nil { maxAge = 0 }
            default: break
            }
        }
    }
}

/// How ``HTTPCache/fetchPage(_:headers:transport:cancellation:)`` answered: from the cache with no
/// request, from the cache after a 304, from the network, or from a stale entry because the
/// server could not be reached (RFC 9111 §4.2.4, so an editor keeps working offline).
public enum CacheOutcome: String, Sendable, Equatable {
    case fresh
    case revalidated
    case network
    case staleAfterError
}

/// A cached or fetched page: status 200 body and the headers that matter.
public struct CachedPage: Sendable, Equatable, Codable {
    public var url: URL
    public var contentType: String?
    public var etag: String?
    public var lastModified: String?
    public var directives: CacheDirectives
    /// When the response was received or last revalidated, minus its `Age`.
    public var storedAt: Date
    public var body: Data

    /// Whether the page may be used without asking the server at `now`.
    public func isFresh(at now: Date) -> Bool {
        guard !directives.noCache, let maxAge = directives.maxAge else { return false }
        return now.timeIntervalSince(storedAt) < Double(maxAge)
    }
}

/// A problem fetching a page through the cache.
public enum HTTPCacheError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered a status other than 200 (or 304 to a conditional request).
    case unexpectedStatus(url: String, status: Int)

    public var description: String {
        switch self {
        case .unexpectedStatus(let url, let status):
            status == 404
                ? "\(redactingCredentials(in: url)) was not found (HTTP 404): check the project name and the index URL"
                : status == 401 || status == 403
                ? "\(redactingCredentials(in: url)) refused access (HTTP \(status)): set credentials in the index URL or in ~/.netrc"
                : "\(redactingCredentials(in: url)) answered HTTP \(status)"
        }
    }
}

/// lazywheel's cache on disk, under `$XDG_CACHE_HOME/lazywheel` (or `~/.cache/lazywheel`):
///
/// - `pages/`: simple-index pages with their validators (`ETag`, `Last-Modified`) and
///   `Cache-Control` freshness (RFC 9111), served without a request while fresh and revalidated
///   with `If-None-Match` / `If-Modified-Since` when stale;
/// - `metadata/`: core METADATA bytes keyed by file URL and the file's sha256 from the index, so a
///   second process answers with zero requests.
///
/// Writes are atomic (temporary file + rename); unreadable or corrupt entries are ignored and
/// overwritten. Thread-safe: it holds no state besides the directory.
public final class HTTPCache: Sendable {
    /// The cache root.
    public let directory: URL
    private let now: @Sendable () -> Date

    /// A cache rooted at `directory`; `now` is injected for tests.
    public init(directory: URL, now: @escaping @Sendable () -> Date = { Date() }) {
        self.directory = directory
        self.now = now
    }

    /// `$LAZYWHEEL_CACHE_DIR`, else `$XDG_CACHE_HOME/lazywheel`, else `~/.cache/lazywheel`.
    public static func defaultDirectory(environment: ConfigurationEnvironment) -> URL? {
        if let explicit = environment.variable("LAZYWHEEL_CACHE_DIR") {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        if let xdg = environment.variable("XDG_CACHE_HOME") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("lazywheel", isDirectory: true)
        }
        guard let home = environment.homeDirectory else { return nil }
        return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache/lazywheel", isDirectory: true)
    }

    // MARK: Pages

    /// GETs `url` through the cache: a fresh entry answers with no request; a stale one with
    /// validators is revalidated (304 → reused with refreshed freshness); otherwise the page is
    /// fetched and stored unless `no-store`. Non-200 answers throw ``HTTPCacheError``; when the
    /// server cannot be reached at all (``HTTPClientError``) a stale entry is served instead.
    public func fetchPage(
        _ url: URL, headers: HTTPHeaderFields, transport: any IndexHTTPTransport, cancellation: CancellationToken?
    ) throws -> (page: CachedPage, outcome: CacheOutcome) {
        let cached = cachedPage(for: url)
        if let cached, cached.isFresh(at: now()) {
            return (cached, .fresh)
        }
        var requestHeaders = headers
        if let cached {
            if let etag = cached.etag { requestHeaders["If-None-Match"] = etag }
            if let lastModified = cached.lastModified { requestHeaders["If-Modified-Since"] = lastModified }
        }
        let response: HTTPResponse
        do {
            response = try transport.get(url, headers: requestHeaders, cancellation: cancellation)
        } catch let error as HTTPClientError {
            guard let cached else { throw error }
            return (cached, .staleAfterError)
        }
        if response.status == 304, var page = cached {
            // RFC 9111 §4.3.4: update the stored headers from the 304.
            if let cacheControl = response.headers["Cache-Control"] { page.directives = CacheDirectives(cacheControl: cacheControl) }
            if let etag = response.headers["ETag"] { page.etag = etag }
            if let lastModified = response.headers["Last-Modified"] { page.lastModified = lastModified }
            page.storedAt = receivedAt(response)
            if !page.directives.noStore { store(page, for: url) }
            return (page, .revalidated)
        }
        guard response.status == 200 else {
            throw HTTPCacheError.unexpectedStatus(url: url.absoluteString, status: response.status)
        }
        let page = CachedPage(
            url: response.url, contentType: response.headers["Content-Type"], etag: response.headers["ETag"],
            lastModified: response.headers["Last-Modified"],
            directives: CacheDirectives(cacheControl: response.headers["Cache-Control"]),
            storedAt: receivedAt(response), body: response.body)
        if page.directives.noStore {
            removeEntry(pageFile(for: url))
        } else if page.directives.maxAge != nil || page.etag != nil || page.lastModified != nil {
            store(page, for: url)
        }
        return (page, .network)
    }

    /// The stored page for `url`, if readable.
    public func cachedPage(for url: URL) -> CachedPage? {
        guard let data = try? Data(contentsOf: pageFile(for: url)),
              let page = try? Self.decodePage(data), page.url.absoluteString.isEmpty == false
        else { return nil }
        return page
    }

    private func receivedAt(_ response: HTTPResponse) -> Date {
        let age = response.headers["Age"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return now().addingTimeInterval(-max(0, age))
    }

    private func store(_ page: CachedPage, for url: URL) {
        guard let data = try? Self.encodePage(page) else { return }
        writeAtomically(data, to: pageFile(for: url))
    }

    private func pageFile(for url: URL) -> URL {
        entryFile(kind: "pages", key: "page\u{0}" + Self.keyURL(url), suffix: ".page")
    }

    /// Page entries: a JSON header line, a newline, then the body bytes, with the body's length and
    /// CRC-32 in the header so a torn or damaged file is recognised.
    private struct PageHeader: Codable {
        /// Version 2: CRC-32 instead of SHA-256 of the body (version 1 entries are refetched).
        static let currentVersion = 2
        var version = PageHeader.currentVersion
        var url: URL
        var contentType: String?
        var etag: String?
        var lastModified: String?
        var directives: CacheDirectives
        var storedAt: Date
        var bodyLength: Int
        /// CRC-32 of the body: catches a torn or damaged file (the cache directory is the user's own,
        /// so integrity, not authenticity, is what is checked; CRC-32 costs a byte's worth of
        /// instructions per byte where SHA-256 costs about ninety).
        var bodyCRC32: UInt32
    }

    static func encodePage(_ page: CachedPage) throws -> Data {
        let header = PageHeader(
            url: page.url, contentType: page.contentType, etag: page.etag, lastModified: page.lastModified,
            directives: page.directives, storedAt: page.storedAt, bodyLength: page.body.count,
            bodyCRC32: Inflate.crc32(page.body))
        var data = try JSONEncoder().encode(header)
        data.append(0x0A)
        data.append(page.body)
        return data
    }

    struct CorruptEntry: Error {}

    static func decodePage(_ data: Data) throws -> CachedPage {
        guard let newline = data.firstIndex(of: 0x0A) else { throw CorruptEntry() }
        let header = try JSONDecoder().decode(PageHeader.self, from: data[data.startIndex..<newline])
        let body = Data(data[(newline + 1)...])
        guard header.version == PageHeader.currentVersion, body.count == header.bodyLength,
              Inflate.crc32(body) == header.bodyCRC32
        else {
            throw CorruptEntry()
        }
        return CachedPage(
            url: header.url, contentType: header.contentType, etag: header.etag, lastModified: header.lastModified,
            directives: header.directives, storedAt: header.storedAt, body: body)
    }

    // MARK: Metadata

    /// Cached core metadata for the file at `fileURL` whose index-advertised sha256 is `sha256`
    /// (nil when the index gave none).
    public func metadata(forFileURL fileURL: URL, sha256: String?) -> Data? {
        guard let data = try? Data(contentsOf: metadataFile(fileURL: fileURL, sha256: sha256)),
              let newline = data.firstIndex(of: 0x0A)
        else { return nil }
        let header = String(decoding: data[data.startIndex..<newline], as: UTF8.self)
        let body = Data(data[(newline + 1)...])
        guard header == Self.metadataHeader(body) else { return nil }
        return body
    }

    /// Stores core metadata for the file at `fileURL` (see ``metadata(forFileURL:sha256:)``).
    public func storeMetadata(_ metadata: Data, forFileURL fileURL: URL, sha256: String?) {
        var data = Data((Self.metadataHeader(metadata) + "\n").utf8)
        data.append(metadata)
        writeAtomically(data, to: metadataFile(fileURL: fileURL, sha256: sha256))
    }

    /// The first line of a metadata entry: format version and the body's CRC-32.
    private static func metadataHeader(_ body: Data) -> String {
        "lazywheel-metadata-v2 crc32=" + String(Inflate.crc32(body), radix: 16)
    }

    private func metadataFile(fileURL: URL, sha256: String?) -> URL {
        entryFile(kind: "metadata", key: "metadata\u{0}" + Self.keyURL(fileURL) + "\u{0}" + (sha256?.lowercased() ?? ""), suffix: ".metadata")
    }

    // MARK: Files

    /// The URL as a key: without credentials or fragment.
    private static func keyURL(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        components.user = nil
        components.password = nil
        components.fragment = nil
        return components.string ?? url.absoluteString
    }

    private func entryFile(kind: String, key: String, suffix: String) -> URL {
        let digest = SHA256.hexDigest(Data(key.utf8))
        return directory
            .appendingPathComponent(kind, isDirectory: true)
            .appendingPathComponent(String(digest.prefix(2)), isDirectory: true)
            .appendingPathComponent(digest + suffix)
    }

    /// Publishes `data` as `file` by writing a temporary sibling and renaming it, so a reader sees
    /// either the old entry or the whole new one; a cache that cannot be written is only a slower
    /// cache, so failures are ignored. No `fsync`: entries carry a CRC-32 that a read checks.
    private func writeAtomically(_ data: Data, to file: URL) {
        let folder = file.deletingLastPathComponent()
        guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil
        else { return }
        let temporary = folder.appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString).tmp").path
        do {
            try PositionalIO.createFile(atPath: temporary, contents: data)
            if rename(temporary, file.path) == 0 { return }
        } catch {}
        unlink(temporary)
    }

    private func removeEntry(_ file: URL) {
        try? FileManager.default.removeItem(at: file)
    }
}
