import Foundation
import PackageIndex
import PackagingStandards
import Testing
@testable import Resolver

/// The prefetcher's guess of the solver's pick on a page (`PreparedCandidates.prepare`).
@Suite struct LikelyChoiceTests {
    private func file(_ filename: String, requiresPython: String? = nil, yanked: Bool = false) -> DistributionFile {
        DistributionFile(
            filename: filename, url: URL(string: "http://127.0.0.1/files/\(filename)")!,
            requiresPython: requiresPython, yanked: yanked ? .yanked(reason: nil) : .notYanked, projectName: "demo")
    }

    /// The pick for `files` when the user asks for `requirement` and the requirements read so far
    /// ask `specifiers` of the project.
    private func choice(_ files: [DistributionFile], requirement: String = "demo", specifiers: [String] = []) throws -> String? {
        let prepared = PreparedCandidates(builder: try CandidateBuilder(request: Fixture.request([requirement])))
        return prepared.prepare("demo", files: files, likelyPick: try specifiers.map { try SpecifierSet($0) })?.filename
    }

    @Test func newestUsableVersionWhateverThePageOrder() throws {
        let oldest = file("demo-1.0-py3-none-any.whl")
        let newest = file("demo-3.0-py3-none-any.whl")
        let middle = file("demo-2.0-py3-none-any.whl")
        #expect(try choice([oldest, middle, newest]) == "demo-3.0-py3-none-any.whl")
        #expect(try choice([newest, oldest, middle]) == "demo-3.0-py3-none-any.whl")
        #expect(try choice([middle, newest, oldest]) == "demo-3.0-py3-none-any.whl")
    }

    @Test func unusableNewerFilesAreSkipped() throws {
        let files = [
            file("demo-1.0-py3-none-any.whl"),
            file("demo-2.0-py3-none-any.whl"),
            file("demo-3.0-py3-none-any.whl", requiresPython: ">=3.13"),
            file("demo-4.0-py3-none-any.whl", yanked: true),
            file("demo-5.0-cp312-cp312-win_amd64.whl"),
            file("demo-6.0a1-py3-none-any.whl"),
        ]
        #expect(try choice(files) == "demo-2.0-py3-none-any.whl")
        #expect(try choice(files, specifiers: ["<2"]) == "demo-1.0-py3-none-any.whl")
        #expect(try choice(files, requirement: "demo>=6.0a1", specifiers: [">=6.0a1"]) == "demo-6.0a1-py3-none-any.whl")
    }

    /// The solver reads an sdist's metadata only when it must: a version with only an sdist is not
    /// prefetched, nor is anything when no version is admitted.
    @Test func sdistsAndNothingAdmittedAreNotPrefetched() throws {
        let files = [file("demo-1.0-py3-none-any.whl"), file("demo-2.0.tar.gz")]
        #expect(try choice(files) == nil)
        #expect(try choice(files, specifiers: ["<2"]) == "demo-1.0-py3-none-any.whl")
        #expect(try choice(files, specifiers: [">3"]) == nil)
    }

    @Test func sameVersionPrefersTheBestTagThenTheEarlierFile() throws {
        let generic = file("demo-2.0-py3-none-any.whl")
        let specific = file("demo-2.0-cp312-cp312-manylinux_2_17_x86_64.whl")
        #expect(try choice([generic, specific]) == specific.filename)
        #expect(try choice([specific, generic]) == specific.filename)
        // Equal tags and build tags: the first on the page, as the candidates' file order breaks ties.
        let first = file("demo-2.0-py2.py3-none-any.whl")
        let second = file("demo-2.0-py3-none-any.whl")
        #expect(try choice([first, second]) == first.filename)
        #expect(try choice([second, first]) == second.filename)
    }
}
