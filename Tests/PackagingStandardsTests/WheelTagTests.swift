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

    /// Tag sets are parsed once per process and shared; a bad one fails the same way every time.
    @Test func tagSetsAreSharedAndTheirErrorsRepeat() throws {
        let plain = try WheelFilename("a-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        let built = try WheelFilename("b_c-2.0-7-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        #expect(plain.tags == built.tags && plain.platformTags == ["manylinux_2_17_x86_64", "manylinux2014_x86_64"])
        #expect(built.name == "b_c" && built.buildTag == BuildTag(number: 7, suffix: ""))
        let again = try WheelFilename(plain.filename)
        #expect(plain != built && plain == again)
        // Tag-set keys compare shared tag sets: a wheel's own key is equal to itself, and other
        // tags never share it (whether two parses of one text share it depends on the memo's room).
        #expect(plain.tagSetKey == plain.tagSetKey && plain.tagSetText == built.tagSetText)
        #expect(plain.tagSetKey != (try WheelFilename("a-1.0-py3-none-any.whl")).tagSetKey)
        for _ in 0..<2 {
            #expect(throws: WheelFilenameError.invalid("c-1.0-py3..x-none-any.whl", reason: "invalid tag component in 'py3..x-none-any'")) {
                try WheelFilename("c-1.0-py3..x-none-any.whl")
            }
        }
        // Non-ASCII text splits at the same dashes as Python's `str.split`.
        let accented = try WheelFilename("café-1.0-py3-none-any.whl")
        #expect(accented.name == "café" && accented.tags.map(\.description) == ["py3-none-any"])
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

    /// The tag list as it was built before priorities were computed from its parts: every tag
    /// spelled out, ranked by its first position.
    static func referenceTags(python: String, platformTags platforms: [String], freeThreaded: Bool = false) -> [PackagingStandards.Tag] {
        let parts = python.split(separator: ".").map { Int($0) }
        guard parts.count >= 2, let major = parts[0], let minor = parts[1] else { return [] }
        let nodot = "\(major)\(minor)"
        let interpreter = "cp\(nodot)"
        var out: [PackagingStandards.Tag] = []
        let abi = freeThreaded ? "\(interpreter)t" : interpreter
        for p in platforms { out.append(PackagingStandards.Tag(interpreter, abi, p)) }
        let useABI3 = !freeThreaded && (major > 3 || (major == 3 && minor >= 2))
        if useABI3 { for p in platforms { out.append(PackagingStandards.Tag(interpreter, "abi3", p)) } }
        for p in platforms { out.append(PackagingStandards.Tag(interpreter, "none", p)) }
        if useABI3 && minor - 1 > 1 {
            for m in stride(from: minor - 1, through: 2, by: -1) {
                for p in platforms { out.append(PackagingStandards.Tag("cp\(major)\(m)", "abi3", p)) }
            }
        }
        var pyVersions = ["py\(nodot)", "py\(major)"]
        if minor - 1 >= 0 {
            for m in stride(from: minor - 1, through: 0, by: -1) { pyVersions.append("py\(major)\(m)") }
        }
        for v in pyVersions {
            for p in platforms { out.append(PackagingStandards.Tag(v, "none", p)) }
        }
        out.append(PackagingStandards.Tag(interpreter, "none", "any"))
        for v in pyVersions { out.append(PackagingStandards.Tag(v, "none", "any")) }
        return out
    }

    @Test(arguments: [
        ("3.12", "manylinux_2_28_x86_64", false), ("3.13", "manylinux_2_17_aarch64", true), ("3.9", "musllinux_1_2_x86_64", false),
        ("3.12", "macosx_14_0_arm64", false), ("3.8", "macosx_10_9_x86_64", false), ("3.11", "win_amd64", false),
        ("3.0", "linux_x86_64", false), ("3.1", "manylinux_2_5_i686", false), ("3.2", "win32", false),
        ("2.7", "manylinux_2_17_x86_64", false), ("4.0", "manylinux_3_1_x86_64", false),
    ])
    func priorityOrderIsTheFullListsOrder(python: String, platform: String, freeThreaded: Bool) throws {
        try Self.checkAgainstReference(python: python, platformTags: TargetPlatform(platform).platformTags, freeThreaded: freeThreaded)
    }

    @Test func explicitPlatformListsWithDuplicatesCaseAndAny() throws {
        for platforms in [[], ["any"], ["Linux_X86_64", "linux_x86_64", "any", "MANYLINUX1_X86_64"], ["a", "b", "a"], ["Straße"]] {
            for python in ["3.12", "3.0", "3.10", "10.1"] {
                try Self.checkAgainstReference(python: python, platformTags: platforms, freeThreaded: false)
                try Self.checkAgainstReference(python: python, platformTags: platforms, freeThreaded: true)
            }
        }
    }

    static func checkAgainstReference(python: String, platformTags: [String], freeThreaded: Bool) throws {
        let reference = referenceTags(python: python, platformTags: platformTags, freeThreaded: freeThreaded)
        let compatible = try CompatibleTags(python: python, platformTags: platformTags, freeThreaded: freeThreaded)
        #expect(compatible.tags == reference, "\(python) \(platformTags)")
        var firstPosition: [PackagingStandards.Tag: Int] = [:]
        for (position, tag) in reference.enumerated() where firstPosition[tag] == nil { firstPosition[tag] = position }
        let others = ["cp312-cp312-win_arm64", "py3-none-any", "cp39-abi3-any", "py2-none-manylinux1_x86_64", "cp312-none-linux_x86_64"]
        for tag in reference + others.flatMap({ try! PackagingStandards.Tag.parseSet($0) }) {
            let wheel = try WheelFilename("demo-1.0-\(tag.interpreter)-\(tag.abi)-\(tag.platform).whl")
            #expect(compatible.priority(of: wheel) == firstPosition[tag], "\(tag) for \(python) \(platformTags)")
        }
    }

    @Test(arguments: [
        ("Foo.Bar__baz", "foo-bar-baz"), ("requests", "requests"), ("-_.", "-"), ("Django", "django"), ("", ""),
        ("a\r\nB", "a\r\nb"), ("Ünïcode_Name", "ünïcode-name"), ("\u{212A}elvin", "kelvin"), ("zope.interface", "zope-interface"),
    ])
    func canonicalNames(name: String, expected: String) {
        #expect(ProjectName.canonical(name) == expected)
    }
}
