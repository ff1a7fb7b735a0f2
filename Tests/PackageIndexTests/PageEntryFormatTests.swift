import Foundation
import HTTPRange
import LazyZip
import Testing
@testable import PackageIndex

struct PageEntryFormatTests {
    private static let awkwardPages: [CachedPage] = [
        CachedPage(
            url: URL(string: "http://index.test/simple/demo/")!, contentType: "text/html; charset=utf-8", etag: "\"v1\"",
            lastModified: "Tue, 14 Nov 2023 22:13:20 GMT", directives: CacheDirectives(maxAge: 600),
            storedAt: Date(timeIntervalSinceReferenceDate: 816_991_616.696_253_9), body: Data("<a href=x-1.0.tar.gz>x</a>\n".utf8)),
        // Values with newlines, colons, digits, the next field's name, non-ASCII text and empty strings.
        CachedPage(
            url: URL(string: "https://h.test:8443/simple/caf%C3%A9/?q=1")!, contentType: "",
            etag: "W/\"12:\nbody 3 0\n\"", lastModified: "é\r\n\u{0}ü 😀\ncontent-type 3:abc",
            directives: CacheDirectives(maxAge: -5, noCache: true, noStore: true),
            storedAt: Date(timeIntervalSinceReferenceDate: -1.0e-7), body: Data()),
        CachedPage(
            url: URL(string: "file:///tmp/index/demo/")!, contentType: nil, etag: nil, lastModified: nil,
            directives: CacheDirectives(), storedAt: Date(timeIntervalSinceReferenceDate: 0),
            body: Data([0x0A, 0x00, 0xFF] + Array("body-length 3\nheader-crc 0\nlazywheel-page 4\n".utf8))),
        CachedPage(
            url: URL(string: "http://index.test/x")!, contentType: "application/vnd.pypi.simple.v1+json", etag: "e",
            lastModified: nil, directives: CacheDirectives(maxAge: 0, noStore: true),
            storedAt: Date(timeIntervalSinceReferenceDate: 1.0e15 + 0.5), body: Data(repeating: 0x7B, count: 70_000)),
    ]

    @Test(arguments: awkwardPages)
    func roundTripIsExact(page: CachedPage) throws {
        let decoded = try #require(PageEntryFormat.decode(PageEntryFormat.encode(page)))
        #expect(decoded == page)
        #expect(decoded.storedAt.timeIntervalSinceReferenceDate.bitPattern == page.storedAt.timeIntervalSinceReferenceDate.bitPattern)
    }

    @Test(arguments: awkwardPages.prefix(2))
    func tornOrDamagedEntriesAreRejected(page: CachedPage) {
        let entry = PageEntryFormat.encode(page)
        for length in 0..<entry.count {
            #expect(PageEntryFormat.decode(entry.prefix(length)) == nil, "torn after \(length) bytes")
        }
        for position in 0..<entry.count {
            var damaged = entry
            damaged[position] ^= 0xFF
            #expect(PageEntryFormat.decode(damaged) == nil, "byte \(position) flipped")
        }
        #expect(PageEntryFormat.decode(entry + Data("x".utf8)) == nil)
    }

    /// The header alone is read and checked without the body, from any prefix that holds it.
    @Test(arguments: awkwardPages)
    func headsAreReadFromPrefixes(page: CachedPage) throws {
        let entry = PageEntryFormat.encode(page)
        let head = try #require(entry.withUnsafeBytes { PageEntryFormat.decodeHead($0) })
        #expect(head.bodyOffset + head.bodyLength == entry.count)
        #expect(head.bodyCRC == Inflate.crc32(page.body))
        var fields = page
        fields.body = Data()
        #expect(head.page == fields)
        for length in [head.bodyOffset, head.bodyOffset + head.bodyLength / 2] {
            #expect(entry.prefix(length).withUnsafeBytes { PageEntryFormat.decodeHead($0) }?.bodyCRC == head.bodyCRC)
        }
        for length in 0..<head.bodyOffset {
            #expect(entry.prefix(length).withUnsafeBytes { PageEntryFormat.decodeHead($0) } == nil, "torn after \(length) bytes")
        }
        for position in 0..<head.bodyOffset {
            var damaged = entry
            damaged[position] ^= 0xFF
            #expect(damaged.withUnsafeBytes { PageEntryFormat.decodeHead($0) } == nil, "byte \(position) flipped")
        }
    }

    @Test func otherVersionsAreRejected() {
        // A version 2 entry: a JSON header line, then the body.
        let version2 = Data(#"{"url":"http:\/\/index.test\/simple\/demo\/","directives":{"maxAge":600,"noStore":false,"noCache":false},"version":2,"bodyLength":1,"bodyCRC32":2212294583,"storedAt":816991616.5}"#.utf8)
            + Data("\n1".utf8)
        #expect(PageEntryFormat.decode(version2) == nil)
        var version5 = PageEntryFormat.encode(Self.awkwardPages[0])
        version5[version5.startIndex + "lazywheel-page ".utf8.count] = UInt8(ascii: "5")
        #expect(PageEntryFormat.decode(version5) == nil)
        // A version 3 entry: one CRC-32 over the header lines and the body.
        let version3 = Data("lazywheel-page 3\nurl 30:http://index.test/simple/demo/\nmax-age 600\nstored-at 816991616.5\nbody 3 8b3e9b6e\nold".utf8)
        #expect(PageEntryFormat.decode(version3) == nil)
        #expect(PageEntryFormat.decode(Data()) == nil)
    }

    @Test func anOldEntryInTheCacheIsRefetchedAndReplaced() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let url = URL(string: "http://index.test/simple/demo/")!
        let writer = CacheEntryWriter()
        defer { writer.drain() }  // before the directory is removed
        let cache = HTTPCache(directory: directory.url, writer: writer)
        let transport = ScriptedTransport()
        transport.answer { url, _ in HTTPResponse(status: 200, headers: ["Cache-Control": "max-age=600"], body: Data("new".utf8), url: url) }
        _ = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        writer.drain()
        let file = try #require(FileManager.default.enumerator(atPath: directory.url.path)?
            .compactMap { $0 as? String }.first { $0.hasSuffix(".page") })
        let path = directory.url.appendingPathComponent(file)
        let old = Data(#"{"url":"http:\/\/index.test\/simple\/demo\/","directives":{"maxAge":600,"noStore":false,"noCache":false},"version":2,"bodyLength":3,"bodyCRC32":0,"storedAt":816991616.5}"#.utf8) + Data("\nold".utf8)
        try old.write(to: path)

        #expect(cache.cachedPage(for: url) == nil)
        let refetched = try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil)
        #expect(refetched.outcome == .network && refetched.page.body == Data("new".utf8))
        #expect(transport.sent.count == 2)
        #expect(try cache.fetchPage(url, headers: [:], transport: transport, cancellation: nil).outcome == .fresh)
    }

    @Test(arguments: [
        "http://127.0.0.1:39729/simple/pydantic/", "HTTP://Example.COM:80/a/../b/%7Euser/?q=1&x=%20",
        "http://[::1]:8080/simple/x/", "http://[::1]:/", "http://[fe80::1%25eth0]:80/", "http://host/path?",
        "http://host:/p", "http://host:0080/p", "http://h:0/", "http://h:00/", "http://h:65536/p",
        "http://h:99999999999999999999/p", "file:///tmp/x%20y", "file:/tmp/x", "http://host/ü", "http:/path", "http:path",
        "mailto:x", "x:y://h:1/", "http://h/a:b/c", "http://h?q=a:b", "http://h/p?a#", "http://h/x#sha256=ab",
        "http://u:p@h/x", "http://u@h:8080/x#f", "https://h:443", "http://h/%zz",
    ])
    func plainKeysAreWhatURLComponentsWouldBuild(text: String) throws {
        let url = try #require(URL(string: text))
        #expect(HTTPCache.plainKeyURL(url) == nil || HTTPCache.plainKeyURL(url) == HTTPCache.componentsKeyURL(url))
        #expect(HTTPCache.keyURL(url) == HTTPCache.componentsKeyURL(url))
    }
}
