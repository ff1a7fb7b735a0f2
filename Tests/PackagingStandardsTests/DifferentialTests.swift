import Foundation
import Testing
import TestSupport
@testable import PackagingStandards

/// Random inputs shaped to hit PEP 440 / PEP 508 corner cases.
struct CaseGenerator {
    var rng: SeededGenerator

    mutating func separator() -> String { rng.pick(["", "", ".", "-", "_"]) }

    mutating func number() -> String {
        let n = rng.int(0...12)
        return rng.chance(0.1) ? "0\(n)" : "\(n)"
    }

    mutating func version() -> String {
        var s = ""
        if rng.chance(0.08) { s += rng.pick(["v", "V"]) }
        if rng.chance(0.08) { s += "\(rng.int(0...3))!" }
        s += (0..<rng.int(1...4)).map { _ in number() }.joined(separator: ".")
        if rng.chance(0.35) {
            s += separator() + rng.pick(["a", "A", "alpha", "b", "beta", "BETA", "c", "rc", "RC", "pre", "preview", "Preview"])
            if rng.chance(0.3) { s += separator() }
            if rng.chance(0.8) { s += number() }
        }
        if rng.chance(0.25) {
            if rng.chance(0.3) {
                s += "-" + number()
            } else {
                s += separator() + rng.pick(["post", "rev", "r", "POST"])
                if rng.chance(0.3) { s += separator() }
                if rng.chance(0.8) { s += number() }
            }
        }
        if rng.chance(0.25) {
            s += separator() + rng.pick(["dev", "DEV"])
            if rng.chance(0.3) { s += separator() }
            if rng.chance(0.8) { s += number() }
        }
        if rng.chance(0.15) {
            s += "+" + (0..<rng.int(1...3)).map { _ in rng.pick(["ubuntu", "1", "abc", "01", "X", "2b"]) }.joined(separator: rng.pick([".", "-", "_"]))
        }
        if rng.chance(0.04) { s = " " + s }
        if rng.chance(0.04) { s += rng.pick(["\n", " ", "\t", "\u{A0}", "\u{1C}"]) }
        if rng.chance(0.1) { s = rng.damaged(s, inserting: Array("._-+!*abz9 é")) }
        return s
    }

    static let releases = ["0", "1", "1.0", "1.0.0", "1.1", "2", "1!1.0", "0.0"]
    static let suffixes = ["", "", "", "a1", "b2", "rc1", ".post1", ".post0", ".dev0", ".dev3", "a1.dev1", ".post1.dev2", "rc1.post1", "a1.post1"]

    /// A version close to others in the same small universe (so specifier edges get hit).
    mutating func nearVersion(allowLocal: Bool = true) -> String {
        var s = rng.pick(Self.releases) + rng.pick(Self.suffixes)
        if allowLocal && rng.chance(0.15) { s += rng.pick(["+local", "+1.2", "+abc.5"]) }
        return s
    }

    mutating func specifier() -> String {
        let op = rng.pick(["~=", "==", "!=", "<=", ">=", "<", ">", "===", "=="])
        var v = nearVersion(allowLocal: op == "==" || op == "!=" || rng.chance(0.05))
        if (op == "==" || op == "!=") && rng.chance(0.3) {
            v = rng.pick(Self.releases) + ".*"
        }
        if rng.chance(0.05) { v = version() }
        return op + (rng.chance(0.15) ? " " : "") + v
    }

    mutating func specifierSet() -> String {
        let parts = (0..<rng.int(0...3)).map { _ in specifier() }
        return parts.joined(separator: rng.pick([",", ", ", " ,"]))
    }

    static let markerVariables = [
        "python_version", "python_full_version", "os_name", "os.name", "sys_platform", "platform_machine",
        "platform_system", "platform_release", "platform_version", "platform_python_implementation",
        "python_implementation", "implementation_name", "implementation_version", "extra", "platform.machine",
    ]
    static let markerValues = [
        "3.8", "3.12", "3.12.1", "3", "3.*", "3.12.*", "2.7", "3.13.0a1", "3.13", "linux", "win32", "Linux",
        "x86_64", "posix", "nt", "cpython", "CPython", "test", "Test_Extra", "", "6.5.0", "23.1.0", "3.12.1+",
        "ux", "cp", "1.0-1", "darwin",
    ]

    mutating func markerAtom() -> String {
        let variable = rng.pick(Self.markerVariables)
        let op = rng.pick(["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in", "==", ">="])
        let quote = rng.pick(["\"", "'"])
        let value = quote + rng.pick(Self.markerValues) + quote
        let ws = rng.chance(0.9) ? " " : ""
        return rng.chance(0.8) ? "\(variable)\(ws)\(op)\(ws)\(value)" : "\(value)\(ws)\(op)\(ws)\(variable)"
    }

    mutating func marker(depth: Int = 0) -> String {
        var parts: [String] = []
        for i in 0..<rng.int(1...3) {
            if i > 0 { parts.append(rng.pick(["and", "or"])) }
            if depth < 2 && rng.chance(0.2) {
                parts.append("(" + marker(depth: depth + 1) + ")")
            } else {
                parts.append(markerAtom())
            }
        }
        var s = parts.joined(separator: " ")
        if rng.chance(0.05) {
            var chars = Array(s)
            chars.insert(rng.pick(Array("()'\" ;")), at: rng.int(0...chars.count))
            s = String(chars)
        }
        return s
    }

    mutating func requirement() -> String {
        var s = rng.pick(["requests", "Foo_Bar", "a", "foo.bar", "x-", "zope.interface", "name_"])
        if rng.chance(0.3) {
            let extras = (0..<rng.int(0...3)).map { _ in rng.pick(["security", "Socks", "use_chardet", "a-b", "test"]) }
            s += rng.pick(["", " "]) + "[" + extras.joined(separator: rng.pick([",", ", "])) + "]"
        }
        if rng.chance(0.15) {
            s += " @ https://example.invalid/pkg-1.0-py3-none-any.whl"
            if rng.chance(0.5) { s += " ; " + marker() }
            return s
        }
        let spec = specifierSet()
        if rng.chance(0.2) {
            s += " (" + spec + ")"
        } else {
            s += rng.pick(["", " "]) + spec
        }
        if rng.chance(0.4) { s += rng.pick([";", " ; ", "; "]) + marker() }
        return s
    }

    mutating func wheel() -> String {
        let name = rng.pick(["foo", "Foo_Bar", "foo.bar", "foo__bar", "", "pkg2"])
        let version = rng.chance(0.9) ? nearVersion(allowLocal: false) : version()
        var s = name + "-" + version
        if rng.chance(0.2) { s += "-" + rng.pick(["1", "2abc", "10", "x1"]) }
        s += "-" + rng.pick([
            "py3-none-any", "py2.py3-none-any", "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
            "cp39-abi3-macosx_10_9_universal2", "cp312-cp312-win_amd64", "3py-none-any", "py3-none", "py3..x-none-any",
        ])
        s += rng.pick([".whl", ".whl", ".whl", ".zip"])
        return s
    }
}

@Suite("Differential tests against Python packaging")
struct DifferentialTests {
    static let environments: [[String: String]] = [
        MarkerEnvironment(pythonVersion: "3.12.1", platform: try! TargetPlatform("manylinux_2_28_x86_64")).values,
        MarkerEnvironment(pythonVersion: "3.8.10", platform: try! TargetPlatform("win_amd64")).values,
        {
            var v = MarkerEnvironment(pythonVersion: "3.13.0rc1", platform: try! TargetPlatform("macosx_14_0_arm64")).values
            v["platform_version"] = "Darwin Kernel Version 23.1.0"
            return v
        }(),
        {
            var v = MarkerEnvironment(pythonVersion: "3.12", platform: try! TargetPlatform("linux_x86_64")).values
            v["platform_release"] = "6.5.0-41-generic"
            v["python_full_version"] = "3.12.1+"
            return v
        }(),
    ]

    // Hand-picked corner cases, checked alongside the random ones.
    static let oddVersions = [
        "1.0\u{A0}", "\u{1C}1.0", "1.0+ABC", "1.0.POST1", "1!2!3", "1.0a1.a2", "1.0.0.0.0.0.0", "0001", "1.0-0",
        "1.0--1", "1.0post-1", "1.0.dev-1", "1.0+a..b", "1.0\u{2003}", "1.0\u{200B}",
    ]
    static let oddSpecifiers = [
        "===\u{A0}foo", ">=\u{A0}1.0", "== 1.0 .*", "==1.0.*\t", "~=1.0.0.*", "<=1!1.0", "!=1.0+L", "~= v1.0", ">1.0-1",
        "===1.0;", "===1.0)", "< 1.0, > 0.5 ,", ",", " , ", "==1.0+local.*", "=== ",
    ]
    static let oddMarkers = [
        "extra == 'a' or extra=='B.c'", "python_version in '3.10 3.11'", "'3.1' in python_version",
        "python_version == python_full_version", "'a' == 'b'", "platform_release >= '6.5.0-41'",
        "python_full_version >= '3.12.1'", "(python_version=='3.12')", "((os_name=='posix'))and(sys_platform=='linux')",
        "os_name=='a'or os_name=='posix'", "extras == 'x'", "dependency_groups == 'x'", "os_name == 'a\\\nb'",
        "os_name=='posix'andsys_platform=='linux'", "os_name\t==\t'posix'", "os_name == 'a\\'", "python_version < '3.12.*'",
        "python_version ~= '3'", "python_version === '3.12'", "'posix' not in os_name", "os_name not  in 'posix'",
        "os_name == \"it's\"", "os_name == '\\u00e9'", "os_name == '\\101'",
    ]
    static let oddRequirements = [
        "name[]", "name[ a , b ]", "name [a]>=1 ; os_name=='posix'", "name>=1.0 ;os_name=='posix'", "name (==1.0)",
        "name( ==1.0 )", "name @ file:///tmp/x.whl", "name@file:///x", "a.b-c_d", "name[a,]", "name>=1.0,", "name==1.0+local",
        "name<=1.0+local", "name ===foo)", "name (===foo)", "name >=1.0a1.post2.dev3", "name ~=1",
        "name[a] @ https://example.invalid/x.whl ; extra == 'a'", "name>=1.0.*", "name==1.0a1.*", "name\t>=1", "name>=\u{A0}1",
        " name", "name ", "name;os_name=='a'", "name_", "name-", "n", "1name", "name[a_b.c]",
    ]

    @Test(
        "Swift answers equal packaging's on thousands of random inputs",
        .enabled(if: TestEnvironment.python != nil || TestEnvironment.isCI,
                 "No Python with `packaging` found: set LAZYWHEEL_TEST_PYTHON or create .venv (required when CI is set)")
    )
    func differential() throws {
        guard let python = TestEnvironment.python else {
            Issue.record("CI is set but no Python interpreter with `packaging` was found (set LAZYWHEEL_TEST_PYTHON)")
            return
        }
        var gen = CaseGenerator(rng: SeededGenerator(state: 0x1A2B_3C4D))
        let versions = (0..<3000).map { _ in gen.version() } + (0..<500).map { _ in gen.nearVersion() } + Self.oddVersions
        let valid = versions.filter { (try? Version($0)) != nil }
        let comparisons = (0..<3000).map { _ in [gen.rng.pick(valid), gen.rng.pick(valid)] }
        let specifiers = (0..<1500).map { _ in gen.specifierSet() } + Self.oddSpecifiers
        let preFlags: [Bool?] = [nil, true, false]
        var contains: [[Any]] = []
        var containsParsed: [[Any]] = []
        for _ in 0..<3000 {
            let spec = gen.specifierSet()
            let candidate: String
            if gen.rng.chance(0.5), let first = (try? SpecifierSet(spec))?.specifiers.first?.version {
                // Same release as the clause, with another suffix: hits the post/pre/local rules.
                candidate = first.baseVersion + gen.rng.pick(CaseGenerator.suffixes) + (gen.rng.chance(0.2) ? "+local.7" : "")
            } else {
                candidate = gen.rng.chance(0.9) ? gen.nearVersion() : gen.version()
            }
            for flag in preFlags {
                contains.append([spec, candidate, flag.map { $0 as Any } ?? NSNull()])
                if (try? Version(candidate)) != nil {
                    containsParsed.append([spec, candidate, flag.map { $0 as Any } ?? NSNull()])
                }
            }
        }
        let filters: [[Any]] = (0..<400).map { _ in
            [gen.specifierSet(), (0..<gen.rng.int(0...6)).map { _ in gen.nearVersion() }, gen.rng.pick(preFlags).map { $0 as Any } ?? NSNull()]
        }
        let markers = (0..<1500).map { _ in gen.marker() } + Self.oddMarkers
        let markerEvals: [[Any]] = markers.flatMap { m in
            (0..<Self.environments.count).map { i in
                [m, i, gen.rng.pick([nil, "test", "Test_Extra", ""] as [String?]).map { $0 as Any } ?? NSNull()]
            }
        }
        let requirements = (0..<1500).map { _ in gen.requirement() } + Self.oddRequirements
        let wheels = (0..<800).map { _ in gen.wheel() }
        let platformsForTags = [["manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"], ["win_amd64"], ["macosx_14_0_arm64", "macosx_13_0_arm64"]]
        let tagLists: [[String: Any]] = [[3, 12], [3, 8], [3, 2], [3, 13]].flatMap { py in
            platformsForTags.map { ["python": py, "platforms": $0] as [String: Any] }
        }
        let mac: [[Any]] = [[10, 9, "x86_64"], [10, 15, "x86_64"], [11, 0, "arm64"], [14, 2, "arm64"], [14, 0, "x86_64"],
                            [10, 4, "i386"], [10, 5, "ppc64"], [10, 6, "ppc"], [13, 0, "universal2"], [10, 3, "x86_64"]]
        let manylinux: [[Any]] = [[2, 28, "x86_64"], [2, 17, "aarch64"], [2, 5, "i686"], [2, 39, "aarch64"], [3, 1, "x86_64"], [2, 12, "x86_64"]]
        let names = ["Foo.Bar", "foo__bar", "FOO-_.bar", "Django", "a", "ÄBC_d", "x--y"]

        let request: [String: Any] = [
            "versions": versions, "comparisons": comparisons, "specifiers": specifiers,
            "contains": contains, "contains_parsed": containsParsed, "filters": filters,
            "markers": markers, "environments": Self.environments, "marker_evals": markerEvals,
            "requirements": requirements, "wheels": wheels, "tag_lists": tagLists, "mac": mac,
            "manylinux": manylinux, "canonical_names": names,
        ]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lazywheel-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.json"), output = dir.appendingPathComponent("out.json")
        try JSONSerialization.data(withJSONObject: request).write(to: input)
        let result = try TestEnvironment.run(python, [TestEnvironment.oracleScript.path, input.path, output.path])
        try #require(result.status == 0, "oracle failed: \(result.stderr)")
        let answers = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])

        var mismatches = Mismatches()

        // Versions
        let versionAnswers = answers["versions"] as! [Any]
        for (text, answer) in zip(versions, versionAnswers) {
            let mine = try? Version(text)
            guard let expected = answer as? [String: Any] else {
                mismatches.check(mine == nil, "version \(text.debugDescription): packaging rejects, Swift gives \(mine.map(String.init(describing:)) ?? "")")
                continue
            }
            guard let mine else {
                mismatches.record("version \(text.debugDescription): Swift rejects, packaging gives \(expected["normalized"]!)")
                continue
            }
            mismatches.check(mine.description == expected["normalized"] as? String, "normalize \(text.debugDescription): \(mine) vs \(expected["normalized"]!)")
            mismatches.check(mine.isPrerelease == expected["pre"] as? Bool, "isPrerelease \(text)")
            mismatches.check(mine.isPostRelease == expected["post"] as? Bool, "isPostRelease \(text)")
            mismatches.check(mine.isDevRelease == expected["dev"] as? Bool, "isDevRelease \(text)")
            mismatches.check(mine.public == expected["public"] as? String, "public \(text)")
            mismatches.check(mine.baseVersion == expected["base"] as? String, "baseVersion \(text)")
        }

        for (pair, answer) in zip(comparisons, answers["comparisons"] as! [Int]) {
            let a = try Version(pair[0]), b = try Version(pair[1])
            let mine = a < b ? -1 : (a > b ? 1 : 0)
            mismatches.check(mine == answer, "compare \(pair): Swift \(mine), packaging \(answer)")
            if mine == 0 { mismatches.check(a.hashValue == b.hashValue, "hash differs for equal \(pair)") }
        }

        for (text, answer) in zip(specifiers, answers["specifiers"] as! [Any]) {
            let mine = try? SpecifierSet(text)
            guard let expected = answer as? [String: Any] else {
                mismatches.check(mine == nil, "specifier \(text.debugDescription): packaging rejects, Swift accepts")
                continue
            }
            guard let mine else {
                mismatches.record("specifier \(text.debugDescription): Swift rejects, packaging accepts")
                continue
            }
            mismatches.check(mine.description == expected["str"] as? String, "str(SpecifierSet(\(text.debugDescription))): \(mine) vs \(expected["str"]!)")
            mismatches.check(mine.prereleases == expected["prereleases"] as? Bool, "prereleases of \(text.debugDescription): \(String(describing: mine.prereleases))")
        }

        for (item, answer) in zip(contains, answers["contains"] as! [Any]) {
            let spec = item[0] as! String, candidate = item[1] as! String, flag = item[2] as? Bool
            let set = try? SpecifierSet(spec)
            guard let expected = answer as? Bool else {
                mismatches.check(set == nil, "specifier \(spec.debugDescription) should be invalid")
                continue
            }
            guard let set else {
                mismatches.record("specifier \(spec.debugDescription) should be valid")
                continue
            }
            let mine = set.contains(candidate, prereleases: flag)
            mismatches.check(mine == expected, "SpecifierSet(\(spec.debugDescription)).contains(\(candidate.debugDescription), prereleases: \(String(describing: flag))): Swift \(mine), packaging \(expected)")
            // The range form must never exclude what the specifier admits.
            if expected, let v = try? Version(candidate) {
                mismatches.check(VersionSet(set).contains(v), "VersionSet(\(spec)) excludes \(candidate) which the specifier admits")
            }
        }

        for (item, answer) in zip(containsParsed, answers["contains_parsed"] as! [Any]) {
            let spec = item[0] as! String, candidate = try Version(item[1] as! String), flag = item[2] as? Bool
            guard let expected = answer as? Bool, let set = try? SpecifierSet(spec) else { continue }
            let mine = set.contains(candidate, prereleases: flag)
            mismatches.check(mine == expected, "SpecifierSet(\(spec.debugDescription)).contains(Version(\(candidate)), prereleases: \(String(describing: flag))): Swift \(mine), packaging \(expected)")
            let ranged = VersionSet(set).contains(candidate)
            if !set.hasArbitrary {
                mismatches.check(ranged == set.contains(candidate, prereleases: true), "VersionSet(\(spec)).contains(\(candidate)) = \(ranged) disagrees with the specifier")
            }
        }

        for (item, answer) in zip(filters, answers["filters"] as! [Any]) {
            let spec = item[0] as! String, candidates = item[1] as! [String], flag = item[2] as? Bool
            guard let expected = answer as? [String], let set = try? SpecifierSet(spec) else { continue }
            let mine = set.filter(candidates.map { try! Version($0) }, prereleases: flag).map(\.description)
            let expectedNormalized = expected.map { try! Version($0).description }
            mismatches.check(mine == expectedNormalized, "filter \(spec) \(candidates) \(String(describing: flag)): \(mine) vs \(expectedNormalized)")
        }

        for (text, answer) in zip(markers, answers["markers"] as! [Any]) {
            let mine = try? Marker(text)
            mismatches.check(mine?.description == answer as? String, "Marker(\(text.debugDescription)): Swift \(mine?.description ?? "invalid"), packaging \(answer)")
        }

        for (item, answer) in zip(markerEvals, answers["marker_evals"] as! [Any]) {
            let text = item[0] as! String, env = MarkerEnvironment(values: Self.environments[item[1] as! Int]), extra = item[2] as? String
            guard let marker = try? Marker(text) else { continue }
            let mine: String
            do {
                mine = String(try marker.evaluate(env, extra: extra))
            } catch .undefinedComparison {
                mine = "UndefinedComparison"
            } catch .undefinedEnvironmentName {
                mine = "UndefinedEnvironmentName"
            }
            let expected = (answer as? Bool).map(String.init) ?? (answer as! String)
            mismatches.check(mine == expected, "evaluate \(text.debugDescription) env \(item[1]) extra \(String(describing: extra)): Swift \(mine), packaging \(expected)")
        }

        for (text, answer) in zip(requirements, answers["requirements"] as! [Any]) {
            let mine = try? Requirement(text)
            guard let expected = answer as? [String: Any] else {
                mismatches.check(mine == nil, "Requirement(\(text.debugDescription)): packaging rejects, Swift accepts as \(mine!)")
                continue
            }
            guard let mine else {
                mismatches.record("Requirement(\(text.debugDescription)): Swift rejects, packaging accepts as \(expected["str"]!)")
                continue
            }
            mismatches.check(mine.description == expected["str"] as? String, "str(Requirement(\(text.debugDescription))): \(mine) vs \(expected["str"]!)")
            mismatches.check(mine.name == expected["name"] as? String, "name of \(text)")
            mismatches.check(mine.extras == expected["extras"] as? [String], "extras of \(text)")
            mismatches.check(mine.url == expected["url"] as? String, "url of \(text)")
            mismatches.check(mine.marker?.description == expected["marker"] as? String, "marker of \(text)")
            if let reparsed = try? Requirement(mine.description) {
                mismatches.check(reparsed.description == mine.description, "round trip of \(mine)")
            } else {
                mismatches.record("round trip of \(mine) fails to parse")
            }
        }

        for (text, answer) in zip(wheels, answers["wheels"] as! [Any]) {
            let mine = try? WheelFilename(text)
            guard let expected = answer as? [String: Any] else {
                mismatches.check(mine == nil, "wheel \(text): packaging rejects, Swift accepts")
                continue
            }
            guard let mine else {
                mismatches.record("wheel \(text): Swift rejects, packaging accepts")
                continue
            }
            mismatches.check(mine.canonicalName == expected["name"] as? String, "wheel name \(text)")
            mismatches.check(mine.version.description == expected["version"] as? String, "wheel version \(text)")
            let build = expected["build"] as? [Any]
            mismatches.check(mine.buildTag?.number == build?[0] as? Int && (mine.buildTag?.suffix ?? nil) == build?[1] as? String, "wheel build \(text)")
            mismatches.check(mine.tags.map(\.description).sorted() == expected["tags"] as? [String], "wheel tags \(text)")
        }

        for (item, answer) in zip(tagLists, answers["tag_lists"] as! [[String]]) {
            let py = item["python"] as! [Int], platforms = item["platforms"] as! [String]
            let mine = try CompatibleTags(python: "\(py[0]).\(py[1])", platformTags: platforms).tags.map(\.description)
            mismatches.check(mine == answer, "tags for \(py) \(platforms): first difference at \(zip(mine, answer).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(mine.count, answer.count))")
        }

        for (item, answer) in zip(mac, answers["mac"] as! [[String]]) {
            let mine = TargetPlatform.macTags(major: item[0] as! Int, minor: item[1] as! Int, arch: item[2] as! String)
            mismatches.check(mine == answer, "mac platforms \(item): \(mine.prefix(6)) vs \(answer.prefix(6))")
        }
        for (item, answer) in zip(manylinux, answers["manylinux"] as! [[String]]) {
            let mine = TargetPlatform.manylinuxTags(glibcMajor: item[0] as! Int, glibcMinor: item[1] as! Int, arch: item[2] as! String)
            mismatches.check(mine == answer, "manylinux platforms \(item): \(mine.prefix(6)) vs \(answer.prefix(6))")
        }
        for (name, answer) in zip(names, answers["canonical_names"] as! [String]) {
            mismatches.check(canonicalName(name) == answer, "canonicalName(\(name)): \(canonicalName(name)) vs \(answer)")
        }

        if !mismatches.messages.isEmpty {
            let report = "\(mismatches.count) mismatches with packaging; first ones:\n" + mismatches.messages.joined(separator: "\n")
            Issue.record(Comment(rawValue: report))
        }
        #expect(mismatches.count == 0)
        #expect(mismatches.checks > 20_000)
    }

}

struct Mismatches {
    var messages: [String] = []
    var count = 0
    var checks = 0
    mutating func check(_ ok: Bool, _ message: @autoclosure () -> String) {
        checks += 1
        if !ok { record(message()) }
    }
    mutating func record(_ message: String) {
        count += 1
        if messages.count < 25 { messages.append(message) }
    }
}
