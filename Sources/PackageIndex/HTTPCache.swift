import Crypto
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

    /// Whether a cache keeps this response: not `no-store`, and fresh for a while or with a
    /// validator to revalidate it with.
    public var isStorable: Bool {
        !directives.noStore && (directives.maxAge != nil || etag != nil || lastModified != nil)
    }

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
///   with `If-None-Match` / `If-Modified-Since` when stale; beside each page, the archive of its
///   parsed form (``ProjectPageArchive``), so a later process does not parse the page again;
/// - `metadata/`: core METADATA bytes keyed by file URL and the file's sha256 from the index, so a
///   second process answers with zero requests.
///
/// Writes are atomic (temporary file + rename) and made in the background by a
/// ``CacheEntryWriter`` (whose ``CacheEntryWriter/drain()`` a process calls before it ends);
/// unreadable or corrupt entries are ignored and overwritten. Thread-safe.
public final class HTTPCache: Sendable {
    /// The cache root.
    public let directory: URL
    /// `directory.path`: entry paths are built as strings, since appending to a file `URL` costs
    /// more than the read it is for (and may ask the file system whether the result is a directory).
    private let directoryPath: String
    private let now: @Sendable () -> Date
    private let writer: CacheEntryWriter

    /// A cache rooted at `directory`, writing through `writer`; `now` is injected for tests.
    public convenience init(
        directory: URL, writer: CacheEntryWriter = .shared, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init(directory: directory, path: directory.path, writer: writer, now: now)
    }

    /// A cache rooted at `directoryPath`, used as given (no `URL` round trip).
    public convenience init(
        directoryPath: String, writer: CacheEntryWriter = .shared, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let directory = URL(fileURLWithPath: directoryPath, isDirectory: true)
        self.init(directory: directory, path: directoryPath.hasPrefix("/") ? directoryPath : directory.path, writer: writer, now: now)
    }

    private init(directory: URL, path: String, writer: CacheEntryWriter, now: @escaping @Sendable () -> Date) {
        self.directory = directory
        self.directoryPath = path
        self.writer = writer
        self.now = now
    }

    /// `$LAZYWHEEL_CACHE_DIR`, else `$XDG_CACHE_HOME/lazywheel`, else `~/.cache/lazywheel`.
    public static func defaultDirectory(environment: ConfigurationEnvironment) -> URL? {
        defaultDirectoryPath(environment: environment).map { URL(fileURLWithPath: $0, isDirectory: true) }
    }

    /// ``defaultDirectory(environment:)`` as a path.
    public static func defaultDirectoryPath(environment: ConfigurationEnvironment) -> String? {
        if let explicit = environment.variable("LAZYWHEEL_CACHE_DIR") { return explicit }
        if let xdg = environment.variable("XDG_CACHE_HOME") { return Self.path(xdg, "lazywheel") }
        return environment.homeDirectory.map { Self.path($0, ".cache/lazywheel") }
    }

    /// `directory` and `relative` joined by one slash.
    private static func path(_ directory: String, _ relative: String) -> String {
        directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
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
            writer.remove(pageFile(for: url))
            writer.remove(pageFile(for: url, suffix: ".parsed"))
        } else if page.isStorable {
            store(page, for: url)
        }
        return (page, .network)
    }

    /// The stored page for `url`, if readable.
    public func cachedPage(for url: URL) -> CachedPage? {
        guard let data = entry(at: pageFile(for: url)),
              let page = PageEntryFormat.decode(data), page.url.absoluteString.isEmpty == false
        else { return nil }
        return page
    }

    private func receivedAt(_ response: HTTPResponse) -> Date {
        let age = response.headers["Age"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return now().addingTimeInterval(-max(0, age))
    }

    private func store(_ page: CachedPage, for url: URL) {
        writer.write(PageEntryFormat.encode(page), to: pageFile(for: url))
    }

    /// The page entry for `url` (`.page`), or the archive of its parsed form (`.parsed`).
    private func pageFile(for url: URL, suffix: String = ".page") -> String {
        entryFile(kind: "pages", key: "page\u{0}" + Self.keyURL(url), suffix: suffix)
    }

    /// The page parsed for `projectName` from the fresh entry cached for `url`, or nil when there
    /// is no fresh entry (then ``fetchPage(_:headers:transport:cancellation:)`` and
    /// ``projectPage(from:for:projectName:parse:)`` take over).
    ///
    /// One read of the entry's first bytes gives its header; a long page whose archive matches is
    /// answered without reading its body, and a short entry (a page of a few files, which has no
    /// archive) is all in that first read and is parsed from it.
    func freshProjectPage(
        for url: URL, projectName: String, parse: (CachedPage) throws(SimpleIndexError) -> ProjectPage
    ) throws(SimpleIndexError) -> ProjectPage? {
        let file = pageFile(for: url)
        let prefix: Data, fileSize: Int
        switch writer.pendingChange(at: file) {
        case .contents(let data): (prefix, fileSize) = (data, data.count)
        case .removal: return nil
        case nil:
            guard let read = PositionalIO.readFilePrefix(atPath: file, maxLength: 16 * 1024) else { return nil }
            (prefix, fileSize) = (read.bytes, read.fileSize)
        }
        guard let head = prefix.withUnsafeBytes({ PageEntryFormat.decodeHead($0) }),
              fileSize == head.bodyOffset + head.bodyLength, head.page.isFresh(at: now())
        else { return nil }
        let source = ProjectPageArchive.Source(head.page, bodyLength: head.bodyLength, bodyCRC: head.bodyCRC, projectName: projectName)
        if let archived = archivedPage(for: url, source: { source }) { return archived }
        guard let page = (prefix.count == fileSize ? prefix : entry(at: file)).flatMap(PageEntryFormat.decode) else { return nil }
        return try parsedPage(page, for: url, source: { source }, parse: parse)
    }

    /// The page parsed for `projectName` from `page`, the entry cached for `url` (fetched,
    /// revalidated, or stale): read from the archive stored beside the entry when that archive was
    /// made from this very body, else parsed by `parse` and archived (when the page is kept).
    func projectPage(
        from page: CachedPage, for url: URL, projectName: String, parse: (CachedPage) throws(SimpleIndexError) -> ProjectPage
    ) throws(SimpleIndexError) -> ProjectPage {
        // The body's CRC-32 only when an archive is there to check or written: most pages are short.
        let source = { ProjectPageArchive.Source(page, bodyLength: page.body.count, bodyCRC: Inflate.crc32(page.body), projectName: projectName) }
        if let archived = archivedPage(for: url, source: source) { return archived }
        return try parsedPage(page, for: url, source: source, parse: parse)
    }

    /// The archive beside the entry for `url`, when it was made from `source()` (asked only when
    /// there is an archive).
    private func archivedPage(for url: URL, source: () -> ProjectPageArchive.Source) -> ProjectPage? {
        entry(at: pageFile(for: url, suffix: ".parsed")).flatMap { ProjectPageArchive.decode($0, source: source()) }
    }

    /// `page` parsed by `parse`, and archived beside it, as made from `source()`, when it is long
    /// and the cache keeps it.
    private func parsedPage(
        _ page: CachedPage, for url: URL, source: () -> ProjectPageArchive.Source,
        parse: (CachedPage) throws(SimpleIndexError) -> ProjectPage
    ) throws(SimpleIndexError) -> ProjectPage {
        let parsed = try parse(page)
        if page.isStorable, parsed.files.count >= ProjectPageArchive.minimumFiles,
           let archive = ProjectPageArchive.encode(parsed, source: source()) {
            writer.write(archive, to: pageFile(for: url, suffix: ".parsed"))
        }
        return parsed
    }

    // MARK: Metadata

    /// Cached core metadata for the file at `fileURL` whose index-advertised sha256 is `sha256`
    /// (nil when the index gave none).
    public func metadata(forFileURL fileURL: URL, sha256: String?) -> Data? {
        guard var data = entry(at: metadataFile(fileURL: fileURL, sha256: sha256)) else { return nil }
        let headerEnd = data.withUnsafeBytes { bytes -> Int? in
            guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: bytes[(newline + 1)...])
            guard bytes[..<newline].elementsEqual(Self.metadataHeader(crc32: Inflate.crc32(body)).utf8) else { return nil }
            return newline + 1
        }
        guard let headerEnd else { return nil }
        // In place: the body is most of the entry, and a copy of it is memory touched for nothing.
        data.removeSubrange(data.startIndex..<(data.startIndex + headerEnd))
        return data
    }

    /// Stores core metadata for the file at `fileURL` (see ``metadata(forFileURL:sha256:)``).
    public func storeMetadata(_ metadata: Data, forFileURL fileURL: URL, sha256: String?) {
        var data = Data((Self.metadataHeader(crc32: Inflate.crc32(metadata)) + "\n").utf8)
        data.append(metadata)
        writer.write(data, to: metadataFile(fileURL: fileURL, sha256: sha256))
    }

    /// The first line of a metadata entry: format version and the body's CRC-32.
    private static func metadataHeader(crc32: UInt32) -> String {
        "lazywheel-metadata-v2 crc32=" + String(crc32, radix: 16)
    }

    private func metadataFile(fileURL: URL, sha256: String?) -> String {
        entryFile(kind: "metadata", key: "metadata\u{0}" + Self.keyURL(fileURL) + "\u{0}" + (sha256?.lowercased() ?? ""), suffix: ".metadata")
    }

    // MARK: Files

    /// The URL as a key: without credentials or fragment.
    static func keyURL(_ url: URL) -> String {
        plainKeyURL(url) ?? componentsKeyURL(url)
    }

    /// The key of a URL whose text `URLComponents` would rebuild unchanged (``PlainURLText``)
    /// and that has no fragment: that text, without parsing it again. Nil for any other URL.
    static func plainKeyURL(_ url: URL) -> String? {
        guard let text = PlainURLText.of(url), !text.utf8.contains(UInt8(ascii: "#")) else { return nil }
        return text
    }

    /// The key rebuilt by `URLComponents`: credentials and fragment removed.
    static func componentsKeyURL(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        components.user = nil
        components.password = nil
        components.fragment = nil
        return components.string ?? url.absoluteString
    }

    /// `<directory>/<kind>/<SHA-256 of key in hex><suffix>`: one folder per kind, without fan-out
    /// subfolders, so that a fresh cache makes two folders, not one per entry (creating a folder
    /// costs ext4 several times what creating a file does, and lookups in a large folder are
    /// hashed anyway).
    private func entryFile(kind: String, key: String, suffix: String) -> String {
        let digest = SHA256.hexDigest(Array(key.utf8))
        return "\(directoryPath)/\(kind)/\(digest)\(suffix)"
    }

    /// The entry at `file`: a change not written yet, else the file's contents.
    private func entry(at file: String) -> Data? {
        switch writer.pendingChange(at: file) {
        case .contents(let data): data
        case .removal: nil
        case nil: PositionalIO.readFile(atPath: file)
        }
    }
}
