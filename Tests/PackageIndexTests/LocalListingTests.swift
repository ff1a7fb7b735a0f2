import Crypto
import Foundation
import HTTPRange
import PackagingStandards
import Testing
@testable import PackageIndex

/// Find-links directories, HTML link pages and `file://` simple indexes, and metadata read from
/// local wheels and sdists.
struct LocalListingTests {
    private static func sdist(name: String, version: String, pkgInfo: String) -> Data {
        TarFixture.gzip(TarFixture.tar([
            .directory("\(name)-\(version)/"),
            .file("\(name)-\(version)/PKG-INFO", Data(pkgInfo.utf8)),
        ]))
    }

    private func environment() -> ConfigurationEnvironment {
        ConfigurationEnvironment(variables: [:], homeDirectory: nil, readFile: { _ in nil })
    }

    @Test func findLinksDirectoryListsWheelsAndSdistsOfTheProject() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let idna = try #require(Corpus.wheels["idna"])
        try FileManager.default.copyItem(at: idna.url, to: directory.url.appendingPathComponent(idna.file))
        let requests = try #require(Corpus.wheels["requests"])
        try FileManager.default.copyItem(at: requests.url, to: directory.url.appendingPathComponent(requests.file))
        try Self.sdist(name: "idna", version: "3.11", pkgInfo: "Metadata-Version: 2.2\nName: idna\nVersion: 3.11\nRequires-Python: >=3.9\n")
            .write(to: directory.url.appendingPathComponent("idna-3.11.tar.gz"))
        try Data().write(to: directory.url.appendingPathComponent("idna-notes.txt"))

        let configuration = try IndexConfiguration.resolve(options: IndexOptions(findLinks: [directory.url.path]), environment: environment())
        let client = IndexClient(configuration: configuration, transport: ScriptedTransport())
        let page = try client.projectPage("IDNA")
        #expect(page.files.map(\.filename).sorted() == ["idna-3.10-py3-none-any.whl", "idna-3.11.tar.gz"])
        #expect(page.files.compactMap(\.version).map(\.description).sorted() == ["3.10", "3.11"])

        let fetcher = MetadataFetcher(client: HTTPClient())
        for file in page.files {
            let fetched = try fetcher.metadata(for: file)
            #expect(fetched.metadata.name == "idna")
            #expect(fetched.origin == (file.kind.isSdist ? .sdistPKGInfo : .wheelRanges))
        }
    }

    @Test func findLinksHTMLPage() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let idna = try #require(Corpus.wheels["idna"])
        try FileManager.default.copyItem(at: idna.url, to: directory.url.appendingPathComponent(idna.file))
        let html = #"<a href="\#(idna.file)">idna</a><a href="other-1.0.tar.gz">other</a>"#
        try Data(html.utf8).write(to: directory.url.appendingPathComponent("links.html"))
        let configuration = IndexConfiguration(
            indexes: [], findLinks: [IndexLocation(url: directory.url.appendingPathComponent("links.html"), origin: .commandLine(option: "--find-links"))])
        let page = try IndexClient(configuration: configuration, transport: ScriptedTransport()).projectPage("idna")
        #expect(page.files.map(\.filename) == [idna.file])
        let fetched = try MetadataFetcher(client: HTTPClient()).metadata(for: try #require(page.files.first))
        #expect(SHA256.hexDigest(fetched.bytes) == idna.metadataSha256)
    }

    @Test func remoteFindLinksPageIsAddedToTheIndexFiles() throws {
        let transport = ScriptedTransport()
        transport.answer { url, _ in
            let body = url.path.hasSuffix("/links.html")
                ? #"<a href="wheels/demo-2.0-py3-none-any.whl">d</a><a href="wheels/other-1.0.tar.gz">o</a>"#
                : #"<a href="/files/demo-1.0.tar.gz">d</a>"#
            return HTTPResponse(status: 200, headers: ["Content-Type": "text/html"], body: Data(body.utf8), url: url)
        }
        let configuration = IndexConfiguration(
            indexes: [IndexLocation(url: URL(string: "http://index.test/simple/")!, origin: .commandLine(option: "--index-url"))],
            findLinks: [IndexLocation(url: URL(string: "http://links.test/links.html")!, origin: .commandLine(option: "--find-links"))])
        let page = try IndexClient(configuration: configuration, transport: transport).projectPage("Demo")
        #expect(page.files.map(\.url.absoluteString) == ["http://index.test/files/demo-1.0.tar.gz", "http://links.test/wheels/demo-2.0-py3-none-any.whl"])
        #expect(transport.sent.map(\.url.absoluteString) == ["http://index.test/simple/demo/", "http://links.test/links.html"])
    }

    @Test func fileIndexWithIndexPagesOrPlainDirectories() throws {
        let root = try TemporaryDirectory()
        defer { root.cleanUp() }
        let idna = try #require(Corpus.wheels["idna"])
        let typing = try #require(Corpus.wheels["typing-extensions"])
        let idnaDirectory = root.url.appendingPathComponent("idna")
        let typingDirectory = root.url.appendingPathComponent("typing-extensions")
        try FileManager.default.createDirectory(at: idnaDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: typingDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: idna.url, to: root.url.appendingPathComponent(idna.file))
        try Data(#"<a href="../\#(idna.file)#sha256=\#(idna.sha256)" data-requires-python="&gt;=3.6">x</a>"#.utf8)
            .write(to: idnaDirectory.appendingPathComponent("index.html"))
        try FileManager.default.copyItem(at: typing.url, to: typingDirectory.appendingPathComponent(typing.file))

        let configuration = try IndexConfiguration.resolve(
            options: IndexOptions(indexURL: root.url.absoluteString), environment: environment())
        let client = IndexClient(configuration: configuration, transport: ScriptedTransport())
        let idnaPage = try client.projectPage("idna")
        #expect(idnaPage.files.first?.url.path == root.url.appendingPathComponent(idna.file).path)
        #expect(idnaPage.files.first?.sha256 == idna.sha256)
        #expect(idnaPage.files.first?.requiresPython == ">=3.6")
        let typingPage = try client.projectPage("Typing_Extensions")
        #expect(typingPage.files.map(\.filename) == [typing.file])
        #expect(throws: IndexClientError.self) { try client.projectPage("absent") }
    }

    @Test(arguments: [
        ("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", "sdist with Metadata-Version 2.1"),
        ("Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nDynamic: Requires-Dist\n", "Requires-Dist dynamic"),
        ("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nDynamic: requires-python\n", "Requires-Python dynamic"),
    ])
    func untrustworthySdistMetadataNeedsABuild(pkgInfo: String, reason: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = directory.url.appendingPathComponent("demo-1.0.tar.gz")
        try Self.sdist(name: "demo", version: "1.0", pkgInfo: pkgInfo).write(to: path)
        let file = DistributionFile(filename: "demo-1.0.tar.gz", url: path, projectName: "demo")
        let error = #expect(throws: SdistMetadataError.needsBuild(filename: "demo-1.0.tar.gz", reason: reason)) {
            try MetadataFetcher(client: HTTPClient()).metadata(for: file)
        }
        #expect(error?.description.hasPrefix("metadata for demo-1.0.tar.gz needs a build (\(reason))") == true)
    }

    @Test func trustworthySdistMetadataIsUsed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = directory.url.appendingPathComponent("demo_pkg-1.0.tar.gz")
        try Self.sdist(name: "demo_pkg", version: "1.0", pkgInfo: "Metadata-Version: 2.2\nName: demo-pkg\nVersion: 1.0\nRequires-Dist: idna\nDynamic: Description\n")
            .write(to: path)
        let file = DistributionFile(filename: "demo_pkg-1.0.tar.gz", url: path, projectName: "Demo.Pkg")
        #expect(file.version?.description == "1.0")
        let fetched = try MetadataFetcher(client: HTTPClient()).metadata(for: file)
        #expect(fetched.metadata.requiresDist == ["idna"])
        #expect(fetched.origin == .sdistPKGInfo)
    }

    @Test func zipSdistThroughTheZipReader() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        // Re-use a corpus wheel as a ZIP without PKG-INFO: a clear needs-build error.
        let idna = try #require(Corpus.wheels["idna"])
        let path = directory.url.appendingPathComponent("idna-3.10.zip")
        try FileManager.default.copyItem(at: idna.url, to: path)
        let file = DistributionFile(filename: "idna-3.10.zip", url: path, projectName: "idna")
        #expect(throws: SdistMetadataError.needsBuild(filename: "idna-3.10.zip", reason: "it has no top-level PKG-INFO")) {
            try MetadataFetcher(client: HTTPClient()).metadata(for: file)
        }
    }

    @Test(arguments: [
        ("foo-bar-1.0.tar.gz", "foo-bar", "1.0"), ("Foo_Bar-2.0rc1.tar.gz", "foo.bar", "2.0rc1"),
        ("foo-bar-1.0.zip", nil, "1.0"), ("foo-1.0-py3-none-any.whl", nil, "1.0"),
    ] as [(String, String?, String)])
    func versionsFromFileNames(filename: String, project: String?, version: String) {
        let file = DistributionFile(filename: filename, url: URL(string: "http://x/\(filename)")!, projectName: project)
        #expect(file.version?.description == version)
    }
}
