import Foundation
import HTTPRange
import LazyZip
import Testing
@testable import PackageIndex

struct ProjectPageArchiveTests {
    private static let pageURL = URL(string: "https://index.test/simple/demo/")!

    /// Every field a page can carry: yanked with and without a reason, both metadata forms, entity
    /// decoded `requires-python`, several hashes, percent escapes, sdists and files of no kind.
    private static let htmlPage = try! SimpleIndexParser.parseHTML(Data("""
        <html><head><meta name="pypi:repository-version" content="1.1"></head><body>
        <a href="../../files/demo-1.0-py3-none-any.whl#sha256=AB12&amp;md5=ff" data-requires-python="&gt;=3.8">demo-1.0-py3-none-any.whl</a>
        <a href="/files/demo-1.1-1abc-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl" data-yanked="" data-core-metadata="true">x</a>
        <a href="https://other.test/demo-1.2.tar.gz#sha256=00" data-yanked="bad &lt;build&gt;" data-dist-info-metadata="sha256=CD">y</a>
        <a href="caf%C3%A9/demo-2.0b1.zip">z</a>
        <a href="demo-0.9.exe">installer</a>
        <a href="demo-1.0.0-py2.py3-none-any.whl#sha256=0123456789abcdef00112233445566778899aabbccddeeff0f1e2d3c4b5a6978">the version of the first file, written with more parts</a>
        <a href="demo-1!2.0rc2.post1.dev3+ubuntu.1-2-py3-none-any.whl#sha256=0123456789ABCDEF00112233445566778899AABBCCDDEEFF0F1E2D3C4B5A6978">every part of a version</a>
        <a href="demo-1!2.0rc2.post1.dev3+ubuntu.1-2-cp312-abi3-win_amd64.whl?x=1">the same version, another tag set</a>
        </body></html>
        """.utf8), url: pageURL, projectName: "demo")

    private static let jsonPage = try! SimpleIndexParser.parseJSON(Data("""
        {"meta": {"api-version": "1.1"}, "name": "Demo", "versions": ["1.0", "2.0"],
         "files": [
          {"filename": "demo-1.0-py3-none-any.whl", "url": "https://files.test/demo-1.0-py3-none-any.whl",
           "hashes": {"sha256": "aa", "blake2b": "bb"}, "requires-python": ">=3.9", "size": 12345,
           "upload-time": "2024-01-02T03:04:05.000000Z", "core-metadata": {"sha256": "cc"}, "yanked": "reason"},
          {"filename": "demo-2.0.tar.gz", "url": "../../files/demo-2.0.tar.gz", "hashes": {}, "yanked": true,
           "core-metadata": false, "size": 0}
         ]}
        """.utf8), url: pageURL, projectName: "demo")

    private static func source(for page: ProjectPage) -> ProjectPageArchive.Source {
        ProjectPageArchive.Source(bodyLength: 321, bodyCRC: 0xDEAD_BEEF, projectName: "demo", url: page.url.absoluteString, contentType: "text/html")
    }

    @Test(arguments: [htmlPage, jsonPage])
    func roundTripIsExact(page: ProjectPage) throws {
        #expect(page.files.count >= 2)
        let source = Self.source(for: page)
        let archive = try #require(ProjectPageArchive.encode(page, source: source))
        let decoded = try #require(ProjectPageArchive.decode(archive, source: source))
        #expect(decoded == page)
        for (read, parsed) in zip(decoded.files, page.files) {
            #expect(read.url == parsed.url && read.urlText == parsed.url.absoluteString)
            #expect(read.kind == parsed.kind)
            #expect(read.version == parsed.version && read.version?.description == parsed.version?.description)
            if let wheel = read.kind.wheel, let original = parsed.kind.wheel {
                #expect(wheel.name == original.name && wheel.version.description == original.version.description)
                #expect(wheel.buildTag == original.buildTag && wheel.tags == original.tags && wheel.tagSetText == original.tagSetText)
            }
            #expect(read.hashes == parsed.hashes && read.sha256 == parsed.sha256)
            #expect(read.size == parsed.size && read.uploadTime == parsed.uploadTime)
        }
    }

    @Test func tornOrDamagedArchivesAreRejected() throws {
        let source = Self.source(for: Self.htmlPage)
        let archive = try #require(ProjectPageArchive.encode(Self.htmlPage, source: source))
        for length in 0..<archive.count {
            #expect(ProjectPageArchive.decode(archive.prefix(length), source: source) == nil, "torn after \(length) bytes")
        }
        for position in 0..<archive.count {
            var damaged = archive
            damaged[position] ^= 0x40
            #expect(ProjectPageArchive.decode(damaged, source: source) == nil, "byte \(position) flipped")
        }
        #expect(ProjectPageArchive.decode(archive + Data([0]), source: source) == nil)
    }

    @Test func anArchiveOfAnotherSourceOrRevisionIsRejected() throws {
        let source = Self.source(for: Self.htmlPage)
        let archive = try #require(ProjectPageArchive.encode(Self.htmlPage, source: source))
        var others: [ProjectPageArchive.Source] = []
        for change in 0..<5 {
            var other = source
            switch change {
            case 0: other.bodyLength += 1
            case 1: other.bodyCRC ^= 1
            case 2: other.projectName = "demo2"
            case 3: other.url += "x"
            default: other.contentType = nil
            }
            others.append(other)
        }
        for other in others {
            #expect(ProjectPageArchive.decode(archive, source: other) == nil, "\(other)")
        }
        var otherRevision = archive
        otherRevision[otherRevision.startIndex + "lazywheel-parsed ".utf8.count] &+= 1
        #expect(ProjectPageArchive.decode(otherRevision, source: source) == nil)
    }

    /// Through ``IndexClient``: a second process reads the archive, and an archive that does not
    /// match the cached page (damaged, or of an older body) is never what the page says.
    @Test func theIndexClientReadsPagesFromArchivesOfTheSameBodyOnly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let configuration = IndexConfiguration(indexes: [IndexLocation(url: URL(string: "https://index.test/simple/")!, origin: .commandLine(option: "--index-url"))])
        let transport = ScriptedTransport()
        func serve(_ body: String, etag: String) {
            transport.answer { url, _ in
                HTTPResponse(status: 200, headers: ["Content-Type": "text/html", "ETag": etag, "Cache-Control": "max-age=600"], body: Data(body.utf8), url: url)
            }
        }
        let clock = TestClock()
        func client() -> (IndexClient, CacheEntryWriter) {
            let writer = CacheEntryWriter()
            let cache = HTTPCache(directory: directory.url, writer: writer, now: { clock.now })
            return (IndexClient(configuration: configuration, transport: transport, cache: cache), writer)
        }
        func archives() throws -> [URL] {
            try FileManager.default.contentsOfDirectory(at: directory.url.appendingPathComponent("pages"), includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "parsed" }
        }

        /// A page long enough to be archived, its newest file `demo-<newest>-py3-none-any.whl`.
        func page(newest: String) -> String {
            (0..<ProjectPageArchive.minimumFiles).map { #"<a href="demo-0.\#($0)-py3-none-any.whl#sha256=aa">x</a>"# }.joined()
                + #"<a href="demo-\#(newest)-py3-none-any.whl">demo</a>"#
        }
        func newest(_ client: IndexClient) throws -> String? { try client.projectPage("demo").files.last?.filename }

        serve(page(newest: "1.0"), etag: "\"1\"")
        let (first, firstWriter) = client()
        let parsed = try first.projectPage("demo")
        firstWriter.drain()
        #expect(try archives().count == 1)

        let (second, _) = client()
        #expect(try second.projectPage("demo") == parsed)
        #expect(transport.sent.count == 1)

        // A damaged archive is parsed again from the page, and replaced.
        let archive = try #require(try archives().first)
        let intact = try Data(contentsOf: archive)
        try Data("lazywheel-parsed 1\nnonsense".utf8).write(to: archive)
        let (third, thirdWriter) = client()
        #expect(try third.projectPage("demo") == parsed)
        thirdWriter.drain()
        #expect(try Data(contentsOf: archive) == intact)

        // The page changes on the server while the archive stays: the new body is what counts.
        let older = try Data(contentsOf: archive)
        try FileManager.default.removeItem(at: directory.url.appendingPathComponent("pages"))
        serve(page(newest: "2.0"), etag: "\"2\"")
        let (fourth, fourthWriter) = client()
        #expect(try newest(fourth) == "demo-2.0-py3-none-any.whl")
        fourthWriter.drain()
        try older.write(to: archive)
        let (fifth, fifthWriter) = client()
        #expect(try newest(fifth) == "demo-2.0-py3-none-any.whl")
        fifthWriter.drain()  // it archives the page again, over the older archive

        // A stale entry is revalidated with the server, not answered from its archive.
        let sent = transport.sent.count
        clock.advance(601)
        let (sixth, sixthWriter) = client()
        #expect(try newest(sixth) == "demo-2.0-py3-none-any.whl")
        #expect(transport.sent.count == sent + 1)
        sixthWriter.drain()  // before the folder is removed under its writes

        // A short page is not archived: parsing it costs less than a second file.
        try FileManager.default.removeItem(at: directory.url.appendingPathComponent("pages"))
        serve(#"<a href="demo-3.0-py3-none-any.whl">demo</a>"#, etag: "\"3\"")
        let (seventh, seventhWriter) = client()
        #expect(try newest(seventh) == "demo-3.0-py3-none-any.whl")
        seventhWriter.drain()
        #expect(try archives().isEmpty)
    }

    @Test func pagesThatAreNotStoredGetNoArchive() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let configuration = IndexConfiguration(indexes: [IndexLocation(url: URL(string: "https://index.test/simple/")!, origin: .commandLine(option: "--index-url"))])
        let transport = ScriptedTransport()
        transport.answer { url, _ in
            HTTPResponse(status: 200, headers: ["Cache-Control": "no-store", "ETag": "\"1\""], body: Data(#"<a href="demo-1.0.tar.gz">x</a>"#.utf8), url: url)
        }
        let writer = CacheEntryWriter()
        let client = IndexClient(configuration: configuration, transport: transport, cache: HTTPCache(directory: directory.url, writer: writer))
        #expect(try client.projectPage("demo").files.count == 1)
        writer.drain()
        let pages = directory.url.appendingPathComponent("pages")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: pages.path)) ?? []).isEmpty)
    }
}

/// The archive's revision follows its written layout: the bytes of a sample page are pinned to
/// the revision, so code that writes or parses differently fails here until `layout` says how.
struct ProjectPageArchiveRevisionTests {
    /// Revision (CRC-32 of `ProjectPageArchive.layout`) → CRC-32 of the sample page's archive.
    static let pinned: [String: UInt32] = ["fdeeb8fa": 558_161_692]

    @Test func layoutAndBytesChangeTogether() throws {
        let page = try SimpleIndexParser.parseHTML(Data("""
            <a href="../../files/demo-1.0-py3-none-any.whl#sha256=0123456789abcdef00112233445566778899aabbccddeeff0f1e2d3c4b5a6978" data-requires-python="&gt;=3.8">demo-1.0-py3-none-any.whl</a>
            <a href="/files/demo-1!2.0rc2.post1.dev3+ubuntu.1-2-cp312-abi3-win_amd64.whl" data-yanked="why" data-core-metadata="sha256=cd">x</a>
            <a href="https://other.test/demo-1.2.tar.gz#md5=00">y</a>
            <a href="demo-2.0b1.zip">z</a>
            """.utf8), url: URL(string: "https://index.test/simple/demo/")!, projectName: "demo")
        let source = ProjectPageArchive.Source(bodyLength: 1, bodyCRC: 2, projectName: "demo", url: "https://index.test/simple/demo/", contentType: nil)
        let archive = try #require(ProjectPageArchive.encode(page, source: source))
        let written = Inflate.crc32(archive)
        #expect(
            Self.pinned[ProjectPageArchive.revision] == written,
            "archive bytes changed (now \(written), revision \(ProjectPageArchive.revision)): describe the change in ProjectPageArchive.layout, which makes a new revision, then pin the pair here")
    }
}
