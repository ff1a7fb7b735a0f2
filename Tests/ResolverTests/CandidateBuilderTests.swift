import Foundation
import PackageIndex
import PackagingStandards
import Testing
@testable import Resolver

@Suite("Candidate builder")
struct CandidateBuilderTests {
    static func file(
        _ filename: String, requiresPython: String? = nil, yanked: YankState = .notYanked, metadata: Bool = false
    ) -> DistributionFile {
        DistributionFile(
            filename: filename, url: URL(string: "https://files.example/\(filename)")!, requiresPython: requiresPython,
            yanked: yanked, coreMetadata: metadata ? .present(hashes: [:]) : .absent, projectName: "demo")
    }

    /// A version is explained by the most telling reason among its files' (`Requires-Python`,
    /// then yanked, then platform, then source only), its files are kept preferred first, and the
    /// page's order does not matter.
    @Test func reasonsFilesAndOrder() throws {
        let files = [
            Self.file("demo-4.0-py3-none-any.whl"),
            Self.file("demo-1.0-py3-none-any.whl", yanked: .yanked(reason: "broken")),
            Self.file("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", requiresPython: ">=3.13"),
            Self.file("demo-2.0-cp312-cp312-win_amd64.whl"),
            Self.file("demo-2.0.tar.gz"),
            Self.file("demo-3.0-py3-none-any.whl", yanked: .yanked(reason: "broken")),
            Self.file("demo-4.0-cp312-cp312-manylinux_2_17_x86_64.whl", metadata: true),
            Self.file("demo-5.0b1-py3-none-any.whl"),
            Self.file("README.txt"),
        ]
        let builder = try CandidateBuilder(request: Fixture.request(["demo"], wheelsOnly: true))
        let candidates = builder.candidates("demo", files: files)
        #expect(candidates.known.map(\.description) == ["1.0", "2.0", "3.0", "4.0", "5.0b1"])
        #expect(candidates.ordered.map(\.description) == ["4.0", "5.0b1"], "a pre-release comes after every final release")
        let reasons = candidates.known.map { candidates.exclusionReason(of: $0) ?? "usable" }
        #expect(reasons == [
            "it requires Python >=3.13, the target is 3.12", "it has no wheel for the target platform",
            "it was yanked (broken)", "usable", "usable",
        ])
        let four = try #require(candidates.files(of: try Version("4.0.0")))
        #expect(four.map(\.filename) == ["demo-4.0-cp312-cp312-manylinux_2_17_x86_64.whl", "demo-4.0-py3-none-any.whl"])
        #expect(candidates.files(of: try Version("3.0")) == nil)
        #expect(candidates.files(of: try Version("4.1")) == nil)
        #expect(builder.candidates("demo", files: files.reversed()).ordered == candidates.ordered)
    }

    /// An exact pin makes a yanked version usable (PEP 592).
    @Test func pinnedYankedVersionIsUsable() throws {
        let files = [Self.file("demo-1.0-py3-none-any.whl"), Self.file("demo-3.0-py3-none-any.whl", yanked: .yanked(reason: nil))]
        let pinned = try CandidateBuilder(request: Fixture.request(["demo==3.0"])).candidates("demo", files: files)
        #expect(pinned.ordered.map(\.description) == ["3.0", "1.0"])
        let unpinned = try CandidateBuilder(request: Fixture.request(["demo"])).candidates("demo", files: files)
        #expect(unpinned.ordered.map(\.description) == ["1.0"])
        #expect(unpinned.exclusionReason(of: try Version("3.0")) == "it was yanked")
    }
}
