import Foundation
import Testing
@testable import PackagingStandards

@Suite("Wheel file names, tags and platforms")
struct WheelTagTests {
    @Test func parsesCompressedTagSetsAndBuildTags() throws {
        let w = try WheelFilename("psutil-6.1.0-cp36-abi3-manylinux_2_12_x86_64.manylinux2010_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        #expect(w.canonicalName == "psutil" && w.version.description == "6.1.0" && w.buildTag == nil)
        #expect(w.tags.count == 4 && w.platformTags.count == 4 && w.pythonTags == ["cp36"] && w.abiTags == ["abi3"])
        let built = try WheelFilename("Foo_Bar-1.0-12abc-py2.py3-none-any.whl")
        #expect(built.buildTag == BuildTag(number: 12, suffix: "abc"))
        #expect(built.tags.map(\.description) == ["py2-none-any", "py3-none-any"])
        #expect(built.canonicalName == "foo-bar")
    }

    static let invalid = [
        "foo-1.0-py3-none-any.zip", "foo-py3-none-any.whl", "foo__bar-1.0-py3-none-any.whl", "-1.0-py3-none-any.whl",
        "foo-1..0-py3-none-any.whl", "foo-1.0-x1-py3-none-any.whl", "foo-1.0-3py-none-any.whl", "foo-1.0-py3..x-none-any.whl",
        "foo-1.0-a-b-c-py3-none-any.whl",
    ]

    @Test("rejects invalid wheel names", arguments: invalid)
    func rejects(name: String) {
        #expect(throws: WheelFilenameError.self) { try WheelFilename(name) }
    }

    @Test func distInfoMatching() throws {
        let w = try WheelFilename("Foo.Bar-1.0.0-py3-none-any.whl")
        #expect(w.distInfoMatches("foo_bar-1.0.0.dist-info"))
        #expect(w.distInfoMatches("Foo.Bar-1.0.0.dist-info/"))
        #expect(w.distInfoMatches("foo_bar-1.0.dist-info"))  // PEP 440-equal
        #expect(!w.distInfoMatches("foo_bar-1.0.1.dist-info"))
        #expect(!w.distInfoMatches("other-1.0.0.dist-info"))
        #expect(!w.distInfoMatches("foo_bar-1.0.0.data"))
    }

    static let platforms: [(String, String)] = [
        ("manylinux_2_28_x86_64", "manylinux_2_28_x86_64"), ("manylinux2014_aarch64", "manylinux_2_17_aarch64"),
        ("manylinux2010_x86_64", "manylinux_2_12_x86_64"), ("manylinux1_i686", "manylinux_2_5_i686"),
        ("musllinux_1_2_x86_64", "musllinux_1_2_x86_64"), ("macosx_14_0_arm64", "macosx_14_0_arm64"),
        ("macosx_10_9_x86_64", "macosx_10_9_x86_64"), ("win_amd64", "win_amd64"), ("win32", "win32"),
        ("win_arm64", "win_arm64"), ("linux_x86_64", "linux_x86_64"), ("x86_64-manylinux_2_28", "manylinux_2_28_x86_64"),
        ("aarch64-manylinux2014", "manylinux_2_17_aarch64"), ("x86_64-unknown-linux-gnu", "manylinux_2_28_x86_64"),
        ("aarch64-unknown-linux-musl", "musllinux_1_2_aarch64"), ("aarch64-apple-darwin", "macosx_13_0_arm64"),
        ("x86_64-pc-windows-msvc", "win_amd64"), ("linux", "manylinux_2_28_x86_64"),
    ]

    @Test("parses platform tags and uv names", arguments: platforms)
    func parsesPlatform(input: String, canonical: String) throws {
        #expect(try TargetPlatform(input).description == canonical)
    }

    @Test func rejectsUnknownPlatforms() {
        #expect(throws: TargetPlatformError.self) { try TargetPlatform("amiga_68k") }
        #expect(throws: TargetPlatformError.self) { try TargetPlatform("manylinux_2_x86_64") }
    }

    @Test func hostPlatformIsDetected() {
        let host = TargetPlatform.host()
        #expect(!host.arch.isEmpty)
        #if os(Linux)
        if case .manylinux(let major, let minor) = host.os { #expect(major == 2 && minor >= 17) }
        #endif
    }

    @Test func supportedTagsOrderMatchesPackaging() throws {
        let platform = try TargetPlatform("manylinux_2_28_x86_64")
        #expect(platform.platformTags.count == 27)
        #expect(platform.platformTags.prefix(2) == ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64"])
        #expect(platform.platformTags.suffix(2) == ["manylinux_2_5_x86_64", "manylinux1_x86_64"])
        #expect(platform.platformTags.contains("manylinux2014_x86_64"))
        let tags = try supportedTags(python: "3.12", platform: platform)
        #expect(tags.count == 744)
        #expect(tags.prefix(2).map(\.description) == ["cp312-cp312-manylinux_2_28_x86_64", "cp312-cp312-manylinux_2_27_x86_64"])
        #expect(tags.suffix(3).map(\.description) == ["py32-none-any", "py31-none-any", "py30-none-any"])
        let single = try CompatibleTags(python: "3.12", platformTags: ["manylinux_2_28_x86_64"]).tags
        #expect(single.count == 42)
        #expect(single.prefix(4).map(\.description) == [
            "cp312-cp312-manylinux_2_28_x86_64", "cp312-abi3-manylinux_2_28_x86_64",
            "cp312-none-manylinux_2_28_x86_64", "cp311-abi3-manylinux_2_28_x86_64",
        ])
        #expect(try TargetPlatform("macosx_14_0_arm64").platformTags.prefix(3) == ["macosx_14_0_arm64", "macosx_14_0_universal2", "macosx_13_0_arm64"])
    }

    @Test func bestWheelPrefersSpecificTagsThenBuild() throws {
        let compatible = try CompatibleTags(python: "3.12", platform: TargetPlatform("manylinux_2_28_x86_64"))
        let names = [
            "pkg-1.0-py3-none-any.whl", "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "pkg-1.0-cp312-cp312-win_amd64.whl", "pkg-1.0-cp39-abi3-manylinux_2_17_x86_64.whl",
            "pkg-1.0-cp312-cp312-manylinux_2_34_x86_64.whl",
        ]
        let wheels = try names.map { try WheelFilename($0) }
        #expect(compatible.bestWheel(among: wheels)?.filename == names[1])
        #expect(compatible.isCompatible(wheels[0]) && !compatible.isCompatible(wheels[2]) && !compatible.isCompatible(wheels[4]))
        #expect(compatible.bestWheel(among: [wheels[0], wheels[3]])?.filename == names[3])
        let builds = try ["pkg-1.0-1-py3-none-any.whl", "pkg-1.0-2-py3-none-any.whl", "pkg-1.0-py3-none-any.whl"].map { try WheelFilename($0) }
        #expect(compatible.bestWheel(among: builds)?.filename == "pkg-1.0-2-py3-none-any.whl")
    }

    @Test func everyCorpusWheelIsInstallableOnItsTarget() throws {
        let compatible = try CompatibleTags(python: "3.12", platform: TargetPlatform("manylinux_2_28_x86_64"))
        let files = try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.corpus.appendingPathComponent("wheels").path)
            .filter { $0.hasSuffix(".whl") }
        #expect(files.count >= 15)
        for file in files {
            let wheel = try WheelFilename(file)
            #expect(compatible.isCompatible(wheel), "\(file)")
            let dir = "\(wheel.name)-\(wheel.version).dist-info"
            #expect(wheel.distInfoMatches(dir))
        }
    }
}
