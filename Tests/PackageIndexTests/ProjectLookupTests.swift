import Crypto
import Foundation
import HTTPRange
import PackagingStandards
import Testing
import TestSupport
@testable import PackageIndex

/// A PEP 691 JSON index on the test server with real and synthetic idna/cffi files.
private final class LookupIndex {
    let server = TestHTTPServer()

    init() throws {
        try server.start()
        let idna = try #require(Corpus.wheels["idna"])
        let cffi = try #require(Corpus.wheels["cffi"])
        func metadata(_ version: String) -> Data { Data("Metadata-Version: 2.1\nName: idna\nVersion: \(version)\n".utf8) }
        var entries: [String] = []
        func add(_ filename: String, metadata: Data, requiresPython: String? = nil, yanked: String? = nil, wheel: Data? = nil) {
            server.setFile("/files/\(filename).metadata", data: metadata)
            if let wheel { server.setFile("/files/\(filename)", data: wheel) }
            var entry = #"{"filename": "\#(filename)", "url": "/files/\#(filename)", "hashes": {}, "core-metadata": {"sha256": "\#(SHA256.hexDigest(metadata))"}"#
            if let requiresPython { entry += #", "requires-python": "\#(requiresPython)""# }
            if let yanked { entry += #", "yanked": "\#(yanked)""# }
            entries.append(entry + "}")
        }
        add(idna.file, metadata: try idna.metadata(), requiresPython: ">=3.6", wheel: idna.data)
        add("idna-3.11-py3-none-any.whl", metadata: metadata("3.11"), yanked: "broken")
        add("idna-3.12-py3-none-any.whl", metadata: metadata("3.12"), requiresPython: ">=3.13")
        add("idna-4.0a1-py3-none-any.whl", metadata: metadata("4.0a1"))
        server.setFile("/simple/idna/", data: Data(#"{"meta": {"api-version": "1.1"}, "name": "idna", "files": [\#(entries.joined(separator: ","))]}"#.utf8))

        let cffiMetadata = try cffi.metadata()
        server.setFile("/files/\(cffi.file).metadata", data: cffiMetadata)
        server.setFile("/simple/cffi/", data: Data(#"<a href="/files/\#(cffi.file)" data-core-metadata="true">cffi</a>"#.utf8))
    }

    func lookup(_ name: String, _ specifier: String? = nil, python: String = "3.12", platform: String = "manylinux_2_28_x86_64") throws -> ProjectLookupResult {
        let client = HTTPClient()
        let configuration = IndexConfiguration(indexes: [IndexLocation(url: server.url("/simple/"), origin: .commandLine(option: "--index-url"))])
        let lookup = ProjectLookup(
            index: IndexClient(configuration: configuration, transport: HTTPClientTransport(client: client)),
            fetcher: MetadataFetcher(client: client))
        return try lookup.lookup(ProjectLookupRequest(
            name: name, specifier: try specifier.map { try SpecifierSet($0) }, python: python, platform: try TargetPlatform(platform)))
    }

    deinit { try? server.shutdown() }
}

@Suite(.serialized)
struct ProjectLookupTests {
    @Test func newestCompatibleNonYankedFinalRelease() throws {
        let index = try LookupIndex()
        let result = try index.lookup("IDNA")
        #expect(result.version.description == "3.10")
        #expect(result.metadata.metadata.version == "3.10")
        #expect(result.metadata.origin == .metadataFile)
        #expect(result.availableVersions.map(\.description) == ["4.0a1", "3.12", "3.10"])
        #expect(result.latestVersion?.description == "3.12")
        #expect(result.yanked == .notYanked)
        #expect(result.hasCompatibleWheel)
        #expect(result.fileURL.path == "/files/idna-3.10-py3-none-any.whl")
        #expect(index.server.requests.allSatisfy { request in !request.headers.contains { $0.name.lowercased() == "range" } })
    }

    @Test func requiresPythonDecidesForNewerInterpreters() throws {
        #expect(try LookupIndex().lookup("idna", python: "3.13").version.description == "3.12")
    }

    @Test func pinnedYankedVersionIsUsedAndReported() throws {
        let result = try LookupIndex().lookup("idna", "==3.11")
        #expect(result.version.description == "3.11")
        #expect(result.yanked == .yanked(reason: "broken"))
        #expect(result.availableVersions.map(\.description).contains("3.11"))
    }

    @Test func prereleasesWhenTheSpecifierAsks() throws {
        #expect(try LookupIndex().lookup("idna", ">=4.0a0").version.description == "4.0a1")
    }

    @Test func nothingMatchesIsATypedError() throws {
        let index = try LookupIndex()
        let error = #expect(throws: ProjectLookupError.self) { try index.lookup("idna", ">=5") }
        #expect(error?.description.contains("3.10") == true)
    }

    @Test func noWheelForThePlatformStillDescribesTheProject() throws {
        let result = try LookupIndex().lookup("cffi", platform: "macosx_14_0_arm64")
        #expect(!result.hasCompatibleWheel)
        #expect(result.metadata.metadata.name == "cffi")
        #expect(try LookupIndex().lookup("cffi").hasCompatibleWheel)
    }
}
