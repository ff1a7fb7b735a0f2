import Foundation
import Testing
@testable import PackagingStandards

@Suite("Requirement lines only for an extra")
struct OnlyExtraTests {
    static let lines: [(String, String?)] = [
        (#"pytest>=7; extra == "test""#, "test"),
        (#"PySocks!=1.5.7,>=1.5.6 ; extra == 'socks'  "#, "socks"),
        (#"sphinx;extra=="Docs_Extra""#, "docs-extra"),
        ("furo ;  extra  ==  \"doc.s\"\t", "doc-s"),
        (#"pkg @ https://host/pkg-1.0.whl ; extra == "url""#, "url"),
        (#"pkg @ https://host/a;extra=='url'"#, nil),
        (#"tomli; python_version < "3.11" and extra == "test""#, nil),
        (#"tomli; extra == "test" or python_version < "3.11""#, nil),
        (#"colorama; extra != "win""#, nil),
        (#"colorama; "win" == extra"#, nil),
        (#"colorama; myextra == "win""#, nil),
        (#"colorama; extra == """#, nil),
        (#"colorama; extra == "a b""#, nil),
        (#"colorama; extra == "win"'"#, nil),
        (#"requests>=2"#, nil),
        (#"requests; sys_platform == "linux""#, nil),
        (#"not a requirement ((( ; extra == "x""#, "x"),
    ]

    @Test func recognizesOnlyTheWholeSimpleMarker() {
        for (line, expected) in Self.lines {
            #expect(Requirement.onlyExtra(ofLine: line) == expected, "\(line)")
        }
    }

    /// Wherever a line is said to be only for an extra and parses, its marker holds for exactly
    /// that extra: over the lines above and every corpus wheel's `Requires-Dist`.
    @Test func agreesWithTheParsedMarker() throws {
        var lines = Self.lines.map(\.0)
        let manifest = TestEnvironment.corpus.appendingPathComponent("MANIFEST.json")
        if let data = try? Data(contentsOf: manifest) {
            lines += try JSONDecoder().decode([CoreMetadataTests.ManifestEntry].self, from: data).flatMap(\.requiresDist)
        }
        let environment = MarkerEnvironment(pythonVersion: "3.12", platform: try TargetPlatform("x86_64-manylinux_2_28"))
        var checked = 0
        for line in lines {
            guard let extra = Requirement.onlyExtra(ofLine: line), let requirement = try? Requirement(line) else { continue }
            checked += 1
            #expect(try requirement.applies(in: environment) == false, "\(line)")
            #expect(try requirement.applies(in: environment, extras: [extra]) == true, "\(line)")
            #expect(try requirement.applies(in: environment, extras: ["zz-other"]) == false, "\(line)")
        }
        #expect(checked >= 5)
    }
}
