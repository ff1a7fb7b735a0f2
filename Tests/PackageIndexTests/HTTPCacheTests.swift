import Foundation
import HTTPRange
import Testing
@testable import PackageIndex

struct HTTPCacheTests {
    private let url = URL(string: "http://index.test/simple/demo/")!

    private func page(_ body: String, _ headers: HTTPHeaderFields, status: Int = 200) -> @Sendable (URL, HTTPHeaderFields) -> HTTPResponse {
        { url, _ in HTTPResponse(status: status, headers: headers, body: Data(body.utf8), url: url) }
    }

    @Test func freshPagesAreServedWithoutARequestAndStaleOnesRevalidated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = TestClock()
        let writer = CacheEntryWriter()
        defer { writer.drain() }  // before the directory is removed
        let cache = HTTPCache(directory: directory.url, writer: writer, now: { clock.now })
        let transport = ScriptedTransport()
        transport.answer(page("<a href=x-1.0.tar.gz>", ["Cache-Control": "max-age=600", "ETag": "\"v1\"", "Last-Modified": "Tue, 14 Nov 2023 22:13:20 GMT", "Content-Type": "text/html"]))

        let first = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        #expect(first.outcome == .network)
        let second = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        #expect(second.outcome == .fresh)
        #expect(second.page.body == first.page.body)
        #expect(second.page.contentType == "text/html")
        #expect(transport.sent.count == 1)

        clock.advance(601)
        transport.answer(page("", ["Cache-Control": "max-age=60"], status: 304))
        let third = try cache.fetchPage(url, headers: ["Accept": "text/html"], transport: transport, cancellation: nil)
        #expect(third.outcome == .revalidated)
        #expect(third.page.body == first.page.body)
        let conditional = try #require(transport.sent.last)
        #expect(conditional.headers["If-None-Match"] == "\"v1\"")
        #expect(conditional.headers["If-Modified-Since"] == "Tue, 14 Nov 2023 22:13:20 GMT")
        #expect(conditional.headers["Accept"] == "text/html")

        // The 304 refreshed the entry with its own max-age.
        clock.advance(30)
        #expect(try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil).outcome == .fresh)
        #expect(transport.sent.count == 2)

        // A second cache object (another process, once this one has written its entries) sees the same entry.
        writer.drain()
        let other = HTTPCache(directory: directory.url, writer: CacheEntryWriter(), now: { clock.now })
        #expect(try other.fetchPage(url, headers: [:], transport: transport, cancellation: nil).outcome == .fresh)
    }

    @Test func changedPageReplacesTheEntry() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = TestClock()
        let cache = HTTPCache(directory: directory.url, now: { clock.now })
        let transport = ScriptedTransport()
        transport.answer(page("old", ["ETag": "\"a\""]))
        _ = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        transport.answer(page("new", ["ETag": "\"b\""]))
        let second = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        #expect(second.outcome == .network)
        #expect(second.page.body == Data("new".utf8))
        #expect(transport.sent.last?.headers["If-None-Match"] == "\"a\"")
        #expect(cache.cachedPage(for: url)?.etag == "\"b\"")
    }

    @Test func noCacheAlwaysRevalidatesAndNoStoreIsNeverStored() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let cache = HTTPCache(directory: directory.url)
        let transport = ScriptedTransport()
        transport.answer(page("x", ["Cache-Control": "no-cache, max-age=600", "ETag": "\"e\""]))
        _ = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        transport.answer(page("", [:], status: 304))
        #expect(try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil).outcome == .revalidated)
        #expect(transport.sent.count == 2)

        let storeURL = URL(string: "http://index.test/simple/secret/")!
        transport.answer(page("y", ["Cache-Control": "no-store", "ETag": "\"s\""]))
        _ = try cache.fetchPage(storeURL, headers: [:], transport: transport, cancellation: nil)
        #expect(cache.cachedPage(for: storeURL) == nil)
        _ = try cache.fetchPage(storeURL, headers: [:], transport: transport, cancellation: nil)
        #expect(transport.sent.last?.headers["If-None-Match"] == nil)
    }

    @Test func unreachableServerServesTheStaleEntry() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let cache = HTTPCache(directory: directory.url)
        let transport = ScriptedTransport()
        transport.answer(page("cached body", ["ETag": "\"e\""]))
        _ = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        transport.fail(with: .connectionFailed(url: url.absoluteString, reason: "could not connect to the server", attempts: 4))
        let offline = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        #expect(offline.outcome == .staleAfterError)
        #expect(offline.page.body == Data("cached body".utf8))
        #expect(throws: HTTPClientError.self) {
            try cache.fetchPage(URL(string: "http://index.test/simple/never-seen/")!, headers: [:], transport: transport, cancellation: nil)
        }
    }

    @Test func ageHeaderShortensFreshness() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = TestClock()
        let cache = HTTPCache(directory: directory.url, now: { clock.now })
        let transport = ScriptedTransport()
        transport.answer(page("x", ["Cache-Control": "max-age=100", "Age": "90"]))
        _ = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        clock.advance(20)
        #expect(try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil).outcome == .network)
    }

    @Test func corruptEntriesAreIgnored() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let writer = CacheEntryWriter()
        defer { writer.drain() }  // before the directory is removed
        let cache = HTTPCache(directory: directory.url, writer: writer)
        let transport = ScriptedTransport()
        transport.answer(page("body", ["Cache-Control": "max-age=600"]))
        _ = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        let fileURL = URL(string: "http://files.test/demo-1.0-py3-none-any.whl")!
        cache.storeMetadata(Data("Metadata-Version: 2.1\n".utf8), forFileURL: fileURL, sha256: "ab")
        writer.drain()

        let files = FileManager.default.enumerator(atPath: directory.url.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".page") || $0.hasSuffix(".metadata") } ?? []
        #expect(files.count == 2)
        #expect(!files.contains { $0.contains(".tmp") })
        for file in files {
            let path = directory.url.appendingPathComponent(file)
            var data = try Data(contentsOf: path)
            data[data.count - 1] ^= 0xFF
            try data.write(to: path)
        }
        #expect(cache.cachedPage(for: url) == nil)
        #expect(cache.metadata(forFileURL: fileURL, sha256: "ab") == nil)
        #expect(try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil).outcome == .network)
        writer.drain()
        try Data("garbage".utf8).write(to: directory.url.appendingPathComponent(files[0]))
        _ = cache.cachedPage(for: url)
    }

    @Test func metadataIsKeyedByURLAndHash() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let cache = HTTPCache(directory: directory.url)
        let fileURL = URL(string: "http://files.test/demo-1.0-py3-none-any.whl")!
        cache.storeMetadata(Data("A".utf8), forFileURL: fileURL, sha256: "aa")
        #expect(cache.metadata(forFileURL: fileURL, sha256: "aa") == Data("A".utf8))
        #expect(cache.metadata(forFileURL: fileURL, sha256: "AA") == Data("A".utf8))
        #expect(cache.metadata(forFileURL: fileURL, sha256: "bb") == nil)
        #expect(cache.metadata(forFileURL: fileURL, sha256: nil) == nil)
        #expect(cache.metadata(forFileURL: URL(string: "http://u:p@files.test/demo-1.0-py3-none-any.whl")!, sha256: "aa") == Data("A".utf8))
    }

    @Test func errorStatusesAreTypedWithAdvice() {
        let transport = ScriptedTransport()
        transport.answer(page("", [:], status: 401))
        let cache = HTTPCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("unused-\(UUID())"))
        let error = #expect(throws: HTTPCacheError.self) {
            try cache.fetchPage(URL(string: "http://u:secret@index.test/simple/x/")!, headers: [:], transport: transport, cancellation: nil)
        }
        #expect(error?.description.contains("netrc") == true)
        #expect(error?.description.contains("secret") == false)
    }

    @Test(arguments: [
        ("max-age=600", CacheDirectives(maxAge: 600)),
        ("public, MAX-AGE=\"60\"", CacheDirectives(maxAge: 60)),
        ("no-cache", CacheDirectives(noCache: true)),
        ("no-store, max-age=0", CacheDirectives(maxAge: 0, noStore: true)),
        ("must-revalidate", CacheDirectives(maxAge: 0)),
    ])
    func cacheControlParsing(value: String, expected: CacheDirectives) {
        #expect(CacheDirectives(cacheControl: value) == expected)
    }

    @Test func defaultDirectory() {
        func environment(_ variables: [String: String]) -> ConfigurationEnvironment {
            ConfigurationEnvironment(variables: variables, homeDirectory: "/home/u", readFile: { _ in nil })
        }
        #expect(HTTPCache.defaultDirectory(environment: environment([:]))?.path == "/home/u/.cache/lazywheel")
        #expect(HTTPCache.defaultDirectory(environment: environment(["XDG_CACHE_HOME": "/c"]))?.path == "/c/lazywheel")
        #expect(HTTPCache.defaultDirectory(environment: environment(["LAZYWHEEL_CACHE_DIR": "/x", "XDG_CACHE_HOME": "/c"]))?.path == "/x")
        #expect(HTTPCache.defaultDirectoryPath(environment: environment([:])) == "/home/u/.cache/lazywheel")
        #expect(HTTPCache.defaultDirectoryPath(environment: environment(["XDG_CACHE_HOME": "/c/"])) == "/c/lazywheel")
        #expect(HTTPCache.defaultDirectoryPath(environment: environment(["LAZYWHEEL_CACHE_DIR": "/x", "XDG_CACHE_HOME": "/c"])) == "/x")
    }
}
