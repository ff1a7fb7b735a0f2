import Foundation
import PackagingStandards
import Testing
import WorkScheduling
@testable import Resolver

typealias Release = FakePackageSource.Release

@Suite struct PythonResolverTests {
    @Test func resolvesChainNewestFirst() throws {
        let source = FakePackageSource(simple: [
            "flask": ["3.0.3": ["werkzeug>=3.0", "Jinja2>=3.1"], "2.0.0": ["werkzeug>=2.0"]],
            "werkzeug": ["3.0.1": [], "3.1.0": ["markupsafe>=2.1"], "2.3.0": []],
            "jinja2": ["3.1.4": ["MarkupSafe>=2.0"]],
            "markupsafe": ["2.1.5": [], "3.0.0": []],
        ])
        let resolution = try PythonResolver().resolve(try Fixture.request(["Flask"]), source: source)
        #expect(resolution.pins == ["flask==3.0.3", "jinja2==3.1.4", "markupsafe==3.0.0", "werkzeug==3.1.0"])
        let flask = try #require(resolution.packages.first { $0.name == "flask" })
        #expect(flask.requires == ["jinja2", "werkzeug"])
    }

    @Test func explainsUnsatisfiablePin() throws {
        let source = FakePackageSource(simple: [
            "flask": ["3.0.3": ["werkzeug>=3.0"]],
            "werkzeug": ["2.3.0": [], "3.0.1": []],
        ])
        let report = try #require(try Fixture.failure(source, Fixture.request(["flask==3.0.3", "werkzeug<3"])))
        #expect(report.message == """
            Because flask==3.0.3 depends on werkzeug>=3.0 and you require werkzeug<3, flask==3.0.3 cannot be used.
            So, because you require flask==3.0.3, no solution is possible.
            """)
        #expect(report.facts.contains { $0.kind == "dependency" && $0.package == "flask" && $0.dependency == "werkzeug>=3.0" })
        #expect(report.facts.contains { $0.kind == "requirement" && $0.dependency == "werkzeug<3" })
        let error = ResolutionError.noSolution(report)
        #expect(error.description.hasPrefix("No solution found"))
    }

    @Test func backtracksOverTransitiveConflict() throws {
        let source = FakePackageSource(simple: [
            "app": ["2.0": ["lib>=2", "util<2"], "1.0": ["lib>=1"]],
            "lib": ["2.0": ["util>=2"], "1.0": []],
            "util": ["1.0": [], "2.0": []],
        ])
        #expect(try Fixture.pins(source, Fixture.request(["app"])) == ["app==1.0", "lib==2.0", "util==2.0"])
    }

    @Test func extrasAreNodesSharingTheBaseVersion() throws {
        let source = FakePackageSource(simple: [
            "requests": [
                "2.32.0": ["idna>=2", "PySocks!=1.5.7,>=1.5.6; extra == \"socks\"", "chardet; extra == \"other\""],
                "2.31.0": ["idna>=2"],
            ],
            "idna": ["3.7": []],
            "pysocks": ["1.7.1": []],
            "chardet": ["5.0": []],
        ])
        let resolution = try PythonResolver().resolve(try Fixture.request(["requests[socks]"]), source: source)
        #expect(resolution.pins == ["idna==3.7", "pysocks==1.7.1", "requests==2.32.0"])
        #expect(resolution.packages.first { $0.name == "requests" }?.extrasUsed == ["socks"])
        #expect(resolution.packages.first { $0.name == "requests" }?.requires == ["idna", "pysocks"])
    }

    @Test func markersAreEvaluatedForTheTarget() throws {
        let source = FakePackageSource(simple: [
            "tool": ["1.0": ["colorama; sys_platform == \"win32\"", "tomli>=1; python_version < \"3.11\"", "uvloop; sys_platform == \"linux\""]],
            "colorama": ["0.4": []], "tomli": ["2.0": []], "uvloop": ["0.19": []],
        ])
        #expect(try Fixture.pins(source, Fixture.request(["tool"], python: "3.12")) == ["tool==1.0", "uvloop==0.19"])
        #expect(try Fixture.pins(source, Fixture.request(["tool"], python: "3.10")) == ["tomli==2.0", "tool==1.0", "uvloop==0.19"])
        #expect(try Fixture.pins(source, Fixture.request(["tool", "colorama; os_name == 'nt'"])) == ["tool==1.0", "uvloop==0.19"])
    }

    @Test func requiresPythonSkipsAndExplains() throws {
        let source = FakePackageSource([
            "numpy": [
                Release(version: "2.1.0", fileRequiresPython: ">=3.10"),
                Release(version: "2.0.0", requiresPython: ">=3.9"),
                Release(version: "1.24.0", fileRequiresPython: ">=3.8"),
            ],
        ])
        #expect(try Fixture.pins(source, Fixture.request(["numpy"], python: "3.9")) == ["numpy==2.0.0"])
        #expect(try Fixture.pins(source, Fixture.request(["numpy"], python: "3.8")) == ["numpy==1.24.0"])
        let report = try #require(try Fixture.failure(source, Fixture.request(["numpy>=2"], python: "3.8")))
        #expect(report.message.contains("requires Python >=3.10, the target is 3.8"), "\(report.message)")
        #expect(report.message.contains("requires Python >=3.9, the target is 3.8"), "\(report.message)")
    }

    static let prereleaseCases: [(PrereleasePolicy, [String], String?)] = [
        (.disallow, ["pkg"], "pkg==1.0"),
        (.allow, ["pkg"], "pkg==2.0b1"),
        (.ifNecessary, ["pkg"], "pkg==1.0"),
        (.ifNecessary, ["onlypre"], "onlypre==0.1a1"),
        (.explicit, ["pkg>=2.0b1"], "pkg==2.0b1"),
        (.explicit, ["onlypre"], nil),
        (.ifNecessaryOrExplicit, ["pkg"], "pkg==1.0"),
        (.ifNecessaryOrExplicit, ["pkg>=2.0a1"], "pkg==2.0b1"),
        (.ifNecessaryOrExplicit, ["onlypre"], "onlypre==0.1a1"),
        (.disallow, ["pkg>=2.0a1"], nil),
    ]

    @Test(arguments: prereleaseCases)
    func prereleasePolicies(policy: PrereleasePolicy, requirements: [String], expected: String?) throws {
        let source = FakePackageSource(simple: [
            "pkg": ["1.0": [], "2.0b1": []],
            "onlypre": ["0.1a1": []],
        ])
        let request = try Fixture.request(requirements, prerelease: policy)
        if let expected {
            #expect(try Fixture.pins(source, request) == [expected])
        } else {
            let report = try #require(try Fixture.failure(source, request))
            #expect(report.message.contains("pre-release"), "\(report.message)")
        }
    }

    /// pip's answers (packaging's `SpecifierSet.filter` over the merged specifiers), checked against
    /// pip 25 and uv 0.13.9 on the same files: a pre-release where no final release satisfies the
    /// requirements, directly, transitively, and for a project required with and without a
    /// pre-release specifier. Where uv departs from packaging (`d>=0.1.0a1`: uv 0.13 picks 0.3.0),
    /// packaging's answer is kept (README, "Resolution").
    static let prereleaseFallbackCases: [([String], [String])] = [
        (["a>0.1.0"], ["a==1.0.0a1"]),
        (["b"], ["a==1.0.0a1", "b==1.0"]),
        (["a", "c"], ["a==1.0.0a1", "c==1.0"]),
        (["e", "c"], ["a==1.0.0a1", "c==1.0", "e==1.0"]),
        (["a>=1.0.0a1", "e"], ["a==1.0.0a1", "e==1.0"]),
        (["a"], ["a==0.1.0"]),
        (["e"], ["a==0.1.0", "e==1.0"]),
        (["d>=0.1.0a1"], ["d==1.0.0a1"]),
        (["d"], ["d==0.3.0"]),
    ]

    @Test(arguments: prereleaseFallbackCases)
    func prereleaseWhereNoFinalReleaseSatisfies(requirements: [String], expected: [String]) throws {
        let source = FakePackageSource(simple: [
            "a": ["0.1.0": [], "1.0.0a1": []],
            "b": ["1.0": ["a>0.1.0"]],
            "c": ["1.0": ["a>=1.0.0a1"]],
            "e": ["1.0": ["a"]],
            "d": ["0.3.0": [], "1.0.0a1": []],
        ])
        #expect(try Fixture.pins(source, Fixture.request(requirements)) == expected)
    }

    /// uv ignores upper bounds of `Requires-Python` when resolving; so does `resolve`.
    @Test func requiresPythonUpperBoundsAreIgnored() throws {
        let source = FakePackageSource([
            "old": [
                Release(version: "1.1", requiresPython: ">=3.10"),
                Release(version: "1.0", requiresPython: ">=3.6,<=3.8"),
                Release(version: "0.9"),
            ],
            "pinned": [Release(version: "2.0", fileRequiresPython: "==3.8.*"), Release(version: "1.0")],
        ])
        #expect(try Fixture.pins(source, Fixture.request(["old"], python: "3.9")) == ["old==1.0"])
        #expect(try Fixture.pins(source, Fixture.request(["pinned"], python: "3.9")) == ["pinned==2.0"])
        #expect(try Fixture.pins(source, Fixture.request(["pinned"], python: "3.7")) == ["pinned==1.0"])
    }

    /// `--only-binary` and `--no-binary` per project, as pip and uv spell them.
    @Test func binaryFormatsPerProject() throws {
        let source = FakePackageSource([
            "lib": [Release(version: "2.0", sdistOnly: true), Release(version: "1.0")],
            "tool": [Release(version: "2.0", sdistOnly: true), Release(version: "1.0")],
        ])
        var request = try Fixture.request(["lib", "tool"])
        request.binaryFormats.addOnlyBinary("lib")
        #expect(try Fixture.pins(source, request) == ["lib==1.0", "tool==2.0"])
        request.binaryFormats.addOnlyBinary(":all:")
        #expect(try Fixture.pins(source, request) == ["lib==1.0", "tool==1.0"])
        request.binaryFormats.addNoBinary("Tool")
        #expect(try Fixture.pins(source, request) == ["lib==1.0", "tool==2.0"])
        var onlySources = try Fixture.request(["lib==1.0"])
        onlySources.binaryFormats.addNoBinary(":all:")
        let report = try #require(try Fixture.failure(source, onlySources))
        #expect(report.message.contains("no source distribution"), "\(report.message)")
    }

    @Test func yankedOnlyForExactPins() throws {
        let source = FakePackageSource([
            "lib": [Release(version: "1.0"), Release(version: "1.1", yanked: true)],
        ])
        #expect(try Fixture.pins(source, Fixture.request(["lib"])) == ["lib==1.0"])
        #expect(try Fixture.pins(source, Fixture.request(["lib==1.1"])) == ["lib==1.1"])
        #expect(try Fixture.pins(source, Fixture.request(["lib"], constraints: ["lib==1.1"])) == ["lib==1.1"])
        let report = try #require(try Fixture.failure(source, Fixture.request(["lib>1.0"])))
        #expect(report.message.contains("yanked"), "\(report.message)")
    }

    @Test func constraintsRestrictWithoutAdding() throws {
        let source = FakePackageSource(simple: [
            "app": ["1.0": ["lib"]],
            "lib": ["1.0": [], "2.0": []],
            "unused": ["1.0": []],
        ])
        let request = try Fixture.request(["app"], constraints: ["lib<2", "unused==1.0"])
        #expect(try Fixture.pins(source, request) == ["app==1.0", "lib==1.0"])
        let conflicting = try Fixture.request(["lib>=2"], constraints: ["lib<2"])
        let report = try #require(try Fixture.failure(source, conflicting))
        #expect(report.message.contains("constraint"), "\(report.message)")
    }

    @Test func wheelsOnlyAndSdistOnlyVersions() throws {
        let source = FakePackageSource([
            "legacy": [Release(version: "1.0"), Release(version: "2.0", sdistOnly: true)],
            "native": [Release(version: "1.0"), Release(version: "2.0", platformWheel: "win_amd64")],
        ])
        #expect(try Fixture.pins(source, Fixture.request(["legacy"])) == ["legacy==2.0"])
        #expect(try Fixture.pins(source, Fixture.request(["legacy"], wheelsOnly: true)) == ["legacy==1.0"])
        #expect(try Fixture.pins(source, Fixture.request(["native"])) == ["native==1.0"])
        let report = try #require(try Fixture.failure(source, Fixture.request(["native>=2"])))
        #expect(report.message.contains("no wheel for the target platform"), "\(report.message)")
    }

    @Test func directReferences() throws {
        let url = "file:///tmp/wheels/local-3.0-py3-none-any.whl"
        let source = FakePackageSource(
            ["dep": [Release(version: "1.0")], "local": [Release(version: "1.0")]],
            directReferences: [url: ("local", Release(version: "3.0", requires: ["dep"]))])
        let resolution = try PythonResolver().resolve(try Fixture.request(["local @ \(url)"]), source: source)
        #expect(resolution.pins == ["dep==1.0", "local @ \(url)"])
        #expect(resolution.packages.first { $0.name == "local" }?.version == "3.0")
    }

    @Test func missingProjectIsExplained() throws {
        let source = FakePackageSource(simple: [:])
        let report = try #require(try Fixture.failure(source, Fixture.request(["ghost>=1"])))
        #expect(report.message.contains("the index lists no files for ghost"), "\(report.message)")
    }

    @Test func pinnedPairsResolveFast() throws {
        var boto3: [String: [String]] = [:]
        var botocore: [String: [String]] = [:]
        for minor in 30..<40 {
            for patch in 0..<150 {
                boto3["1.\(minor).\(patch)"] = ["botocore==1.\(minor).\(patch)", "s3transfer>=0.10"]
                botocore["1.\(minor).\(patch)"] = ["urllib3>=1.25"]
            }
        }
        let source = FakePackageSource(simple: [
            "boto3": boto3, "botocore": botocore,
            "s3transfer": ["0.10.0": ["botocore>=1.33"], "0.11.0": ["botocore>=1.36"]],
            "urllib3": ["2.2.0": []],
            "aiobotocore": ["2.13.0": ["botocore>=1.34.70,<1.34.132"]],
        ])
        let resolution = try PythonResolver().resolve(try Fixture.request(["boto3", "aiobotocore"]), source: source)
        #expect(resolution.pins == ["aiobotocore==2.13.0", "boto3==1.34.131", "botocore==1.34.131", "s3transfer==0.10.0", "urllib3==2.2.0"])
        #expect(resolution.statistics.versionsExamined < 60, "\(resolution.statistics)")
        #expect(source.metadataFetches.count < 100)
    }

    @Test func cancellationStopsResolution() throws {
        let source = FakePackageSource(simple: ["a": ["1.0": []]])
        let token = CancellationToken()
        token.cancel()
        #expect(throws: OperationCancelled.self) {
            try PythonResolver().resolve(try Fixture.request(["a"]), source: source, cancellation: token)
        }
    }

    @Test func reportsProgressAndPrefetchStatistics() throws {
        let source = FakePackageSource(simple: [
            "a": ["1.0": ["b", "c"]], "b": ["1.0": ["d"]], "c": ["1.0": ["d"]], "d": ["1.0": [], "2.0": []],
        ])
        let calls = Locked<[(Int, Int)]>([])
        let resolution = try PythonResolver().resolve(try Fixture.request(["a"]), source: source) { resolved, discovered in
            calls.withLock { $0.append((resolved, discovered)) }
        }
        #expect(resolution.pins == ["a==1.0", "b==1.0", "c==1.0", "d==2.0"])
        let progress = calls.withLock { $0 }
        #expect(progress.last?.0 == 5)
        let stats = resolution.statistics.prefetch
        #expect(stats.prefetchedMetadataUsed <= stats.metadataPrefetched)
        #expect(stats.metadataFetched == 4)
    }
}
