import Foundation
import Testing
@testable import PackageIndex

private let pageURL = URL(string: "https://index.example/simple/demo/")!

private func html(_ body: String) -> ProjectPage {
    try! SimpleIndexParser.parseHTML(Data(body.utf8), url: pageURL, projectName: "demo")
}

struct SimpleIndexHTMLTests {
    @Test func basicPEP503Page() throws {
        let page = html("""
            <!DOCTYPE html>
            <html><head><meta name="pypi:repository-version" content="1.1"><title>Links for demo</title></head>
            <body><h1>Links for demo</h1>
            <a href="../../packages/demo-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.8">demo-1.0-py3-none-any.whl</a><br/>
            <a href="https://files.example/demo-1.0.tar.gz#md5=00ff">demo-1.0.tar.gz</a>
            </body></html>
            """)
        #expect(page.apiVersion == "1.1")
        #expect(page.files.count == 2)
        let wheel = page.files[0]
        #expect(wheel.filename == "demo-1.0-py3-none-any.whl")
        #expect(wheel.url.absoluteString == "https://index.example/packages/demo-1.0-py3-none-any.whl")
        #expect(wheel.hashes == ["sha256": "abcdef"])
        #expect(wheel.requiresPython == ">=3.8")
        #expect(wheel.yanked == .notYanked)
        #expect(wheel.coreMetadata == .absent)
        #expect(page.files[1].hashes == ["md5": "00ff"])
        #expect(page.files[1].kind == .sdist(.tarGz))
    }

    @Test(arguments: [
        // Quoting variants and uppercase names.
        #"<A HREF="demo-1.0.tar.gz">x</A>"#,
        #"<a href='demo-1.0.tar.gz'>x</a>"#,
        #"<a href=demo-1.0.tar.gz>x</a>"#,
        #"<a   href = "demo-1.0.tar.gz" >x</a>"#,
        #"<a data-x="1" HREF="demo-1.0.tar.gz"/>"#,
        "<a\nhref=\"demo-1.0.tar.gz\"\n>x</a>",
    ])
    func attributeQuotingVariants(anchor: String) {
        let page = html("<html><body>\(anchor)</body></html>")
        #expect(page.files.map(\.url.absoluteString) == ["https://index.example/simple/demo/demo-1.0.tar.gz"])
    }

    @Test func entitiesInAttributes() {
        let page = html("""
            <a href="demo-1.0.tar.gz?a=1&amp;b=2" data-requires-python="&gt;=3.7,&lt;4&#44;!=3.9.*" data-yanked="broken &quot;build&quot; &#x2014; use 1.1">demo</a>
            """)
        let file = page.files[0]
        #expect(file.url.absoluteString == "https://index.example/simple/demo/demo-1.0.tar.gz?a=1&b=2")
        #expect(file.requiresPython == ">=3.7,<4,!=3.9.*")
        #expect(file.yanked == .yanked(reason: "broken \"build\" \u{2014} use 1.1"))
    }

    /// A page of more links than any project has is refused, in both forms, rather than parsed
    /// into gigabytes of files; a page at the limit is read.
    @Test func pagesOfTooManyFilesAreRefused() throws {
        let limit = 100
        func htmlPage(_ count: Int) -> Data {
            Data(String(repeating: "<a href=x-1.0.tar.gz>x</a>", count: count).utf8)
        }
        func jsonPage(_ count: Int) -> Data {
            Data(("{\"files\":[" + Array(repeating: "{\"url\":\"x-1.0.tar.gz\"}", count: count).joined(separator: ",") + "]}").utf8)
        }
        let tooMany = SimpleIndexError.tooManyFiles(url: pageURL.absoluteString, limit: limit)
        for (page, type) in [(htmlPage, "text/html"), (jsonPage, SimpleIndexParser.jsonContentType)] {
            #expect(try SimpleIndexParser.parseProjectPage(page(limit), contentType: type, url: pageURL, projectName: "x", maximumFiles: limit).files.count == limit)
            #expect(throws: tooMany) {
                try SimpleIndexParser.parseProjectPage(page(limit + 1), contentType: type, url: pageURL, projectName: "x", maximumFiles: limit)
            }
        }
        #expect(SimpleIndexParser.maximumFiles == 250_000)
    }

    @Test func yankedWithoutReasonAndMetadataAttributes() {
        let page = html("""
            <a href="a-1.0-py3-none-any.whl" data-yanked>a</a>
            <a href="a-1.1-py3-none-any.whl" data-yanked="" data-dist-info-metadata="true">a</a>
            <a href="a-1.2-py3-none-any.whl" data-core-metadata="sha256=AA11" data-dist-info-metadata="sha256=bb22">a</a>
            <a href="a-1.3-py3-none-any.whl" data-dist-info-metadata="sha256=cc33">a</a>
            <a href="a-1.4-py3-none-any.whl" data-core-metadata="false">a</a>
            """)
        #expect(page.files.map(\.yanked) == [.yanked(reason: nil), .yanked(reason: nil), .notYanked, .notYanked, .notYanked])
        #expect(page.files.map(\.coreMetadata) == [
            .absent, .present(hashes: [:]), .present(hashes: ["sha256": "aa11"]), .present(hashes: ["sha256": "cc33"]), .absent,
        ])
        #expect(page.files[2].coreMetadata.sha256 == "aa11")
        #expect(page.files[2].metadataURL.absoluteString == "https://index.example/simple/demo/a-1.2-py3-none-any.whl.metadata")
    }

    @Test func baseHrefResolvesRelativeLinks() {
        let page = html("""
            <html><head><BASE HREF="/mirror/files/"></head>
            <a href="demo-1.0.zip">demo</a><a href="//cdn.example/x/demo-2.0.zip">demo</a>
            <a href="http://other.example/demo-3.0.zip">demo</a>
            """)
        #expect(page.files.map(\.url.absoluteString) == [
            "https://index.example/mirror/files/demo-1.0.zip",
            "https://cdn.example/x/demo-2.0.zip",
            "http://other.example/demo-3.0.zip",
        ])
        #expect(page.files[0].kind == .sdist(.zip))
    }

    @Test func percentEncodedFilenamesAreDecoded() {
        let page = html(#"<a href="demo-1.0%2Blocal-py3-none-any.whl">x</a>"#)
        #expect(page.files.first?.filename == "demo-1.0+local-py3-none-any.whl")
    }

    @Test func commentsScriptsAndJunkAreSkipped() {
        let page = html("""
            <!-- <a href="commented-1.0.tar.gz">no</a> -->
            <script>var s = '<a href="scripted-1.0.tar.gz">no</a>';</script>
            < a href="not-a-tag">
            <a>no href</a><a href="">empty</a>
            <p <a href="demo-1.0.tar.gz">yes</a>
            """)
        #expect(page.files.map(\.filename) == ["demo-1.0.tar.gz"])
    }

    @Test(arguments: [
        "", "<", "<a", "<a href=", "<a href=\"", "<a href='x", "<!--", "<!-- <a href=x>", "&", "<a href=x>&#xFFFFFFFF;&#;&unknown;",
        String(repeating: "<a ", count: 1000), String(repeating: "<<<<", count: 1000), "<a href=\"x\" data-yanked=\"&",
        String(repeating: "&amp", count: 500), "\u{0}\u{1}<a\u{0}href=x>",
    ])
    func garbageNeverCrashes(input: String) {
        _ = html(input)
    }

    @Test func manyUnterminatedAnchorsStayLinear() {
        // Unterminated constructs by the ten thousand: a scanner that searched to the end of the
        // input for each would take minutes here; this one walks the input once.
        let scanned = HTMLAnchorScanner.scan(Array(String(repeating: "<a href=\"f.whl\">text ", count: 100_000).utf8))
        #expect(scanned.anchors.count == 100_000)
        let unterminatedQuotes = HTMLAnchorScanner.scan(Array(String(repeating: "<a href=\"", count: 100_000).utf8))
        #expect(unterminatedQuotes.anchors.count == 50_000)
        let unterminatedComments = HTMLAnchorScanner.scan(Array(String(repeating: "<!-- <a href=x>", count: 100_000).utf8))
        #expect(unterminatedComments.anchors.isEmpty)
        let page = html(String(repeating: "<a href=\"demo-1.0.tar.gz\">demo-1.0.tar.gz", count: 2_000))
        #expect(page.files.count == 2_000)
    }

    @Test func characterReferenceDecoding() {
        #expect(HTMLAnchorScanner.decodeCharacterReferences(Array("a&amp;b&lt;&gt;&quot;&#39;&#x41;&apos;&amp".utf8)[...]) == "a&b<>\"'A'&")
        #expect(HTMLAnchorScanner.decodeCharacterReferences(Array("&unknown; &#xZZ;".utf8)[...]) == "&unknown; &#xZZ;")
    }
}

struct SimpleIndexJSONTests {
    private func json(_ text: String) throws -> ProjectPage {
        try SimpleIndexParser.parseProjectPage(Data(text.utf8), contentType: "application/vnd.pypi.simple.v1+json", url: pageURL, projectName: "demo")
    }

    @Test func pep691WithPEP700Fields() throws {
        let page = try json("""
            {"meta": {"api-version": "1.1"}, "name": "Demo", "versions": ["1.0", "1.1"],
             "files": [
              {"filename": "demo-1.0-py3-none-any.whl", "url": "../../files/demo-1.0-py3-none-any.whl",
               "hashes": {"sha256": "ABC"}, "requires-python": ">=3.8", "yanked": false,
               "core-metadata": {"sha256": "def"}, "size": 1234, "upload-time": "2024-01-01T00:00:00.000000Z"},
              {"filename": "demo-1.1.tar.gz", "url": "https://files.example/demo-1.1.tar.gz", "hashes": {},
               "yanked": "security issue", "dist-info-metadata": true},
              {"filename": "demo-1.2.tar.gz", "url": "demo-1.2.tar.gz", "hashes": {}, "yanked": true, "core-metadata": false}
             ]}
            """)
        #expect(page.name == "Demo")
        #expect(page.apiVersion == "1.1")
        #expect(page.versions == ["1.0", "1.1"])
        let wheel = page.files[0]
        #expect(wheel.url.absoluteString == "https://index.example/files/demo-1.0-py3-none-any.whl")
        #expect(wheel.hashes == ["sha256": "abc"])
        #expect(wheel.requiresPython == ">=3.8")
        #expect(wheel.coreMetadata == .present(hashes: ["sha256": "def"]))
        #expect(wheel.size == 1234)
        #expect(wheel.uploadTime == "2024-01-01T00:00:00.000000Z")
        #expect(page.files[1].yanked == .yanked(reason: "security issue"))
        #expect(page.files[1].coreMetadata == .present(hashes: [:]))
        #expect(page.files[2].yanked == .yanked(reason: nil))
        #expect(page.files[2].coreMetadata == .absent)
    }

    @Test func contentNegotiationPicksTheParser() throws {
        let body = Data(#"{"meta":{"api-version":"1.0"},"name":"demo","files":[]}"#.utf8)
        for type in ["application/vnd.pypi.simple.v1+json", "application/json; charset=utf-8", "application/octet-stream", ""] {
            let page = try SimpleIndexParser.parseProjectPage(body, contentType: type, url: pageURL, projectName: "demo")
            #expect(page.apiVersion == "1.0", "content type \(type)")
        }
        let htmlPage = try SimpleIndexParser.parseProjectPage(
            Data(#"<a href="demo-1.0.tar.gz">x</a>"#.utf8), contentType: "text/html; charset=utf-8", url: pageURL, projectName: "demo")
        #expect(htmlPage.files.count == 1)
        #expect(SimpleIndexParser.acceptHeader.hasPrefix("application/vnd.pypi.simple.v1+json"))
    }

    @Test func malformedJSONIsATypedError() {
        #expect(throws: SimpleIndexError.self) { try json("{") }
        #expect(throws: SimpleIndexError.self) { try json("[]") }
        #expect(throws: SimpleIndexError.self) { try json(#"{"meta": {"api-version": "1.0"}}"#) }
        #expect(throws: SimpleIndexError.unsupportedAPIVersion(url: pageURL.absoluteString, version: "2.0")) {
            try json(#"{"meta": {"api-version": "2.0"}, "files": []}"#)
        }
    }

    @Test func entriesWithoutURLAreSkipped() throws {
        let page = try json(#"{"files": [{"filename": "x"}, 3, {"url": "demo-1.0.zip"}]}"#)
        #expect(page.files.map(\.filename) == ["demo-1.0.zip"])
        #expect(page.name == "demo")
    }

    static let linkTexts = [
        "http://127.0.0.1:39729/files/pydantic-2.14.3-py3-none-any.whl#sha256=3F7B", "https://files.test/p/a%20b-1.0.tar.gz#md5=AB&sha256=CD",
        "http://h/x.whl?token=1#sha256=ab", "http://h/caf%C3%A9-1.0.whl", "http://h:0080/x.whl#sha256=1", "http://h:/x.whl#sha256=1",
        "http://u:p@h/x.whl#sha256=2", "http://h/x.whl#sha256=a%62", "http://[::1]:8/a/b.whl#SHA256=ef", "file:///tmp/a.whl",
        "http://h/x.whl#", "http://h/a/b/", "http://h#x:1", "http://h/x.whl#sha256=ab&md5", "mailto:x#sha256=ab",
    ]

    @Test(arguments: linkTexts)
    func fragmentSplittingOnTextMatchesURLComponents(text: String) throws {
        let url = try #require(URL(string: text))
        let (fast, fastHashes) = SimpleIndexParser.splitHashFragment(url)
        let (slow, slowHashes) = SimpleIndexParser.splitHashFragmentWithComponents(url)
        #expect(fast == slow && fast.absoluteString == slow.absoluteString)
        #expect(fastHashes == slowHashes)
        #expect(fast.path(percentEncoded: true) == URLComponents(url: fast, resolvingAgainstBaseURL: false)?.percentEncodedPath)
    }

    static let linkBases = [
        "http://127.0.0.1:8080/simple/six/", "http://h/simple/six", "https://h/a/b/c/?q=1", "http://h/simple/six/#top",
        "http://u:p@h/simple/six/", "http://h:0080/simple/six/", "file:///srv/index/six/", "http://[::1]:8/s/six/",
    ]
    static let linkHrefs = [
        "../../files/six-1.0-py3-none-any.whl#sha256=AB", "six-1.0.whl", "./six-1.0.whl", "/abs/six-1.0.whl",
        "//other.host/d/six-1.0.whl#md5=ab&sha256=CD", "http://h:80/d/six-1.0.whl", "http://u:p@h/d/six-1.0.whl",
        "../x/./y/../z-1.0.whl#", "dir/..", "dir/.", "d/x.whl?q=1", "d/x%20y.whl", "HTTP://H/D/x.whl", "d/x.whl#sha256=a%62",
        "mailto:x/y.whl", "d/x~y+z!.whl#sha256=ab&&", "../../../../../x.whl", "d//x.whl", "d/x.whl#sha256=É",
    ]

    /// The shortcut for links that share a directory gives what resolving the link in full gives.
    @Test(arguments: linkBases)
    func pageLinkShortcutMatchesFullResolution(base: String) throws {
        let baseURL = try #require(URL(string: base))
        var links = PageLinkResolver(base: baseURL)
        for href in Self.linkHrefs {
            guard let plain = links.resolve(href) else { continue }
            let full = try #require(SimpleIndexParser.resolveLink(href, base: baseURL, text: ""), "\(href)")
            let text = plain.directory + plain.filename
            #expect(text == full.url.absoluteString, "\(href) against \(base)")
            #expect(URL(string: text)?.absoluteString == text, "\(href) against \(base): parses back")
            #expect(URL(string: text) == full.url, "\(href) against \(base)")
            #expect(SimpleIndexParser.hashes(fromFragment: plain.fragment) == full.hashes, "\(href)")
            #expect(plain.filename == full.filename, "\(href)")
        }
    }

    @Test func pageLinkShortcutTakesPlainLinksOnly() throws {
        var links = PageLinkResolver(base: try #require(URL(string: "http://h/simple/six/")))
        let resolved = links.resolve("../../files/six-1.0-py3-none-any.whl#sha256=ab")
        #expect(resolved?.directory == "http://h/files/" && resolved?.filename == "six-1.0-py3-none-any.whl")
        for href in ["six-1.0.whl", "d/x%20y.whl", "d/x.whl?q=1", "dir/..", "dir/.", "d/x.whl#sha256=a%62", "d/"] {
            #expect(links.resolve(href) == nil, "\(href)")
        }
        var withUserinfo = PageLinkResolver(base: try #require(URL(string: "http://u:p@h/simple/six/")))
        #expect(withUserinfo.resolve("../../files/x.whl") == nil)
    }

    /// pip's `#<algorithm>=<digest>` links: known algorithms only, lower-cased, `&`-separated, an
    /// empty digest or algorithm ignored, the digest taken whole after the first `=`.
    @Test(arguments: [
        ("sha256=ABcd", ["sha256": "abcd"]), ("sha256=", [:]), ("=ab", [:]), ("sha256", [:]),
        ("md5=AB&sha256=CD", ["md5": "ab", "sha256": "cd"]), ("sha256=ab&md5", ["sha256": "ab"]),
        ("SHA256=EF", ["sha256": "ef"]), ("unknown=1&sha256=aa", ["sha256": "aa"]), ("sha256=a=b", ["sha256": "a=b"]),
        ("&&sha256=ab&&", ["sha256": "ab"]), ("sha256=É", ["sha256": "é"]),
    ] as [(String, [String: String])])
    func hashFragments(fragment: String, expected: [String: String]) throws {
        let url = try #require(URL(string: "http://h/x.whl#" + fragment.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed)!))
        #expect(SimpleIndexParser.splitHashFragment(url).1 == expected)
        #expect(SimpleIndexParser.splitHashFragmentWithComponents(url).1 == expected)
    }

    @Test(arguments: ["", " ", "x", " x", "x\n", "\u{00A0}x\u{2028}", "\tx y\r", "a b", "\u{85}", "é"])
    func whitespaceTrimmingMatchesFoundation(text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimmingWhitespace(andNewlines: true) == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(text.dropFirst(0).trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
    }
}
