import Foundation
import HTTPRange
import PackageIndex
import PackagingStandards
import Testing
import TestSupport
@testable import Resolver

/// Resolves against the real wheels of the shared corpus, read as a find-links directory.
@Suite struct CorpusResolutionTests {
    static var corpusWheels: URL? {
        FileManager.default.fileExists(atPath: TestRepository.corpusWheels.path) ? TestRepository.corpusWheels : nil
    }

    @Test func resolvesCorpusProjectsFromFindLinks() throws {
        let wheels = try #require(Self.corpusWheels, "the shared corpus is expected at ../shared/corpus next to the package")
        let configuration = IndexConfiguration(
            indexes: [], findLinks: [IndexLocation(url: wheels, origin: .commandLine(option: "--find-links"))])
        let client = HTTPClient()
        let source = IndexPackageSource(
            index: IndexClient(configuration: configuration, transport: HTTPClientTransport(client: client)),
            fetcher: MetadataFetcher(client: client, configuration: configuration))
        let request = try Fixture.request(["requests", "pydantic", "cryptography"])
        let resolution = try PythonResolver().resolve(request, source: source)
        #expect(resolution.pins == [
            "annotated-types==0.7.0", "certifi==2024.8.30", "cffi==1.17.1", "charset-normalizer==3.4.0",
            "cryptography==43.0.3", "idna==3.10", "pycparser==2.22", "pydantic==2.10.3", "pydantic-core==2.27.1",
            "requests==2.32.3", "typing-extensions==4.12.2", "urllib3==2.2.3",
        ])
        let requests = try #require(resolution.packages.first { $0.name == "requests" })
        #expect(requests.requires == ["certifi", "charset-normalizer", "idna", "urllib3"])
    }
}
