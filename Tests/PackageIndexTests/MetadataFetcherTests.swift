import Crypto
import Foundation
import HTTPRange
import LazyZip
import PackagingStandards
import Testing
import TestSupport
@testable import PackageIndex

/// A PEP 503 index on the test server: `/simple/<name>/` pages linking `/files/<wheel>`, with or
/// without PEP 658 `.metadata` files.
private struct ServedIndex {
    let server = TestHTTPServer()
    let wheels: [Corpus.Wheel]

    init(projects: [String], metadataFiles: Bool, metadataHashOverride: String? = nil) throws {
        try server.start()
        wheels = projects.compactMap { Corpus.wheels[$0] }
        for wheel in wheels {
            let metadata = try wheel.metadata()
            server.setFile("/files/\(wheel.file)", data: wheel.data)
            var attributes = ""
            if metadataFiles {
                server.setFile("/files/\(wheel.file).metadata", data: metadata)
                attributes = #" data-core-metadata="sha256=\#(metadataHashOverride ?? SHA256.hexDigest(metadata))""#
            }
            let html = """
                <!DOCTYPE html><html><body>
                <a href="../../files/\(wheel.file)#sha256=\(wheel.sha256)"\(attributes) data-requires-python="\(wheel.requiresPython?.replacingOccurrences(of: ">", with: "&gt;") ?? "")">\(wheel.file)</a>
                </body></html>
                """
            server.setFile("/simple/\(ProjectName.canonical(wheel.name))/", data: Data(html.utf8))
        }
    }

    var configuration: IndexConfiguration {
        IndexConfiguration(indexes: [IndexLocation(url: server.url("/simple/"), origin: .commandLine(option: "--index-url"))])
    }
}

@Suite(.serialized)
struct MetadataFetcherTests {
    static let projects = ["requests", "idna", "certifi", "urllib3", "charset-normalizer", "annotated-types", "pydantic", "psutil"]

    @Test func pep658CostsOneSmallRequestPerWheelAndNoRangeRequests() throws {
        let index = try ServedIndex(projects: Self.projects, metadataFiles: true)
        defer { try? index.server.shutdown() }
        let client = HTTPClient()
        let statistics = TransferStatistics()
        let indexClient = IndexClient(configuration: index.configuration, transport: HTTPClientTransport(client: client, statistics: statistics))
        let fetcher = MetadataFetcher(client: client, statistics: statistics)
        #expect(index.wheels.count == Self.projects.count)

        for wheel in index.wheels {
            let page = try indexClient.projectPage(wheel.name)
            let file = try #require(page.files.first)
            #expect(file.coreMetadata.isPresent)
            index.server.clearLog()
            let fetched = try fetcher.metadata(for: file)
            #expect(fetched.origin == .metadataFile)
            #expect(SHA256.hexDigest(fetched.bytes) == wheel.metadataSha256)
            #expect(fetched.metadata.name.map(ProjectName.canonical) == ProjectName.canonical(wheel.name))
            #expect(fetched.metadata.version == wheel.version)
            let requests = index.server.requests
            #expect(requests.count == 1, "\(wheel.name): \(requests.map(\.path))")
            #expect(requests.first?.path == "/files/\(wheel.file).metadata")
            #expect(requests.allSatisfy { request in !request.headers.contains { $0.name.lowercased() == "range" } })
            #expect(requests.allSatisfy { $0.method == "GET" })
        }
        #expect(statistics.snapshot.headRequests == 0)
    }

    @Test func withoutMetadataFilesTheWheelIsReadWithRanges() throws {
        let index = try ServedIndex(projects: ["requests", "psutil", "pydantic"], metadataFiles: false)
        defer { try? index.server.shutdown() }
        let client = HTTPClient()
        let indexClient = IndexClient(configuration: index.configuration, transport: HTTPClientTransport(client: client))
        let fetcher = MetadataFetcher(client: client)
        for wheel in index.wheels {
            let file = try #require(try indexClient.projectPage(wheel.name).files.first)
            #expect(!file.coreMetadata.isPresent)
            index.server.clearLog()
            let fetched = try fetcher.metadata(for: file)
            #expect(fetched.origin == .wheelRanges)
            #expect(SHA256.hexDigest(fetched.bytes) == wheel.metadataSha256)
            let requests = index.server.requests
            #expect(!requests.isEmpty && requests.count <= 3, "\(wheel.name): \(requests.count) requests")
            #expect(requests.allSatisfy { request in request.headers.contains { $0.name.lowercased() == "range" } })
            #expect(requests.allSatisfy { $0.method == "GET" })
        }
    }

    @Test func metadataFileWithWrongHashIsRejected() throws {
        let index = try ServedIndex(projects: ["idna"], metadataFiles: true, metadataHashOverride: String(repeating: "0", count: 64))
        defer { try? index.server.shutdown() }
        let client = HTTPClient()
        let file = try #require(try IndexClient(configuration: index.configuration, transport: HTTPClientTransport(client: client)).projectPage("idna").files.first)
        #expect {
            try MetadataFetcher(client: client).metadata(for: file)
        } throws: { error in
            guard case MetadataFetchError.hashMismatch(_, let expected, _) = error else { return false }
            return expected == String(repeating: "0", count: 64)
        }
    }

    @Test func advertisedButMissingMetadataFileFallsBackToRanges() throws {
        let index = try ServedIndex(projects: ["idna"], metadataFiles: true)
        defer { try? index.server.shutdown() }
        let wheel = try #require(index.wheels.first)
        index.server.removeFile("/files/\(wheel.file).metadata")
        let client = HTTPClient()
        let file = try #require(try IndexClient(configuration: index.configuration, transport: HTTPClientTransport(client: client)).projectPage("idna").files.first)
        let fetched = try MetadataFetcher(client: client).metadata(for: file)
        #expect(fetched.origin == .wheelRanges)
        #expect(SHA256.hexDigest(fetched.bytes) == wheel.metadataSha256)
    }

    @Test func secondProcessAnswersFromTheCacheWithZeroRequests() throws {
        let index = try ServedIndex(projects: ["requests", "urllib3"], metadataFiles: false)
        defer { try? index.server.shutdown() }
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let client = HTTPClient()
        let indexClient = IndexClient(configuration: index.configuration, transport: HTTPClientTransport(client: client))
        let files = try index.wheels.map { try #require(try indexClient.projectPage($0.name).files.first) }
        let firstWriter = CacheEntryWriter()
        let first = MetadataFetcher(client: client, cache: HTTPCache(directory: directory.url, writer: firstWriter))
        let originals = try files.map { try first.metadata(for: $0) }
        #expect(originals.allSatisfy { $0.origin == .wheelRanges })
        firstWriter.drain()  // as the first process does before it ends

        index.server.clearLog()
        let second = MetadataFetcher(client: HTTPClient(), cache: HTTPCache(directory: directory.url, writer: CacheEntryWriter()))
        for (file, original) in zip(files, originals) {
            let again = try second.metadata(for: file)
            #expect(again.origin == .cache)
            #expect(again.bytes == original.bytes)
        }
        #expect(index.server.requests.isEmpty)
    }

    @Test func pageRevalidationSendsValidatorsToTheServer() throws {
        let index = try ServedIndex(projects: ["idna"], metadataFiles: true)
        defer { try? index.server.shutdown() }
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let client = HTTPClient()
        let indexClient = IndexClient(
            configuration: index.configuration, transport: HTTPClientTransport(client: client), cache: HTTPCache(directory: directory.url))
        _ = try indexClient.projectPage("IDNA")
        _ = try indexClient.projectPage("idna")
        let pageRequests = index.server.requests(for: "/simple/idna/")
        #expect(pageRequests.count == 2)
        let second = try #require(pageRequests.last)
        #expect(second.headers.contains { $0.name.lowercased() == "if-none-match" && $0.value == index.server.etag(of: "/simple/idna/") })
        #expect(pageRequests.allSatisfy { request in
            request.headers.contains { $0.name.lowercased() == "accept" && $0.value == SimpleIndexParser.acceptHeader }
        })
    }

    @Test func credentialsAreSentToTheIndexAndItsFiles() throws {
        let index = try ServedIndex(projects: ["idna"], metadataFiles: true)
        defer { try? index.server.shutdown() }
        let configuration = try IndexConfiguration.resolve(
            options: IndexOptions(indexURL: index.server.url("/simple/", user: "alice", password: "s3cret").absoluteString),
            environment: ConfigurationEnvironment(variables: [:], homeDirectory: nil, readFile: { _ in nil }))
        let client = HTTPClient()
        let indexClient = IndexClient(configuration: configuration, transport: HTTPClientTransport(client: client))
        let file = try #require(try indexClient.projectPage("idna").files.first)
        _ = try MetadataFetcher(client: client, configuration: configuration).metadata(for: file)
        let expected = IndexCredentials(username: "alice", password: "s3cret").authorizationHeader
        #expect(index.server.requests.count == 2)
        #expect(index.server.requests.allSatisfy { request in
            request.headers.contains { $0.name.lowercased() == "authorization" && $0.value == expected }
        })
    }

    @Test func unknownProjectIsATypedError() throws {
        let index = try ServedIndex(projects: ["idna"], metadataFiles: true)
        defer { try? index.server.shutdown() }
        let indexClient = IndexClient(configuration: index.configuration, transport: HTTPClientTransport(client: HTTPClient()))
        #expect(throws: IndexClientError.self) { try indexClient.projectPage("no-such-project") }
    }
}
