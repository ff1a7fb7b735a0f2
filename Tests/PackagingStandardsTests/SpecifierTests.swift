import Testing
@testable import PackagingStandards

// Expected values below were produced by `packaging` 26.3.

@Suite("PEP 440 specifiers")
struct SpecifierTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let spec: String, version: String, prereleases: Bool?, expected: Bool
        var testDescription: String { "\(spec) ∋ \(version) [pre=\(String(describing: prereleases))] → \(expected)" }
    }

    static let cases: [Case] = [
        Case(spec: ">=1.0", version: "1.0", prereleases: nil, expected: true),
        Case(spec: "~=2.2", version: "2.3", prereleases: nil, expected: true),
        Case(spec: "~=2.2", version: "3.0", prereleases: nil, expected: false),
        Case(spec: "~=1.4.5", version: "1.4.9", prereleases: nil, expected: true),
        Case(spec: "~=1.4.5", version: "1.5.0", prereleases: nil, expected: false),
        Case(spec: "~=2.2.post3", version: "2.2.post4", prereleases: nil, expected: true),
        Case(spec: "~=1.4.5a4", version: "1.4.5a5", prereleases: nil, expected: true),
        Case(spec: "~=1.4.5a4", version: "1.5", prereleases: nil, expected: false),
        Case(spec: "==1.1.*", version: "1.1.0b1", prereleases: nil, expected: true),
        Case(spec: "==1.1.*", version: "1.1", prereleases: nil, expected: true),
        Case(spec: "==1.1.*", version: "1.10", prereleases: nil, expected: false),
        Case(spec: "!=1.1.*", version: "1.1.post1", prereleases: nil, expected: false),
        Case(spec: "==1.0", version: "1.0+local", prereleases: nil, expected: true),
        Case(spec: "==1.0+local", version: "1.0", prereleases: nil, expected: false),
        Case(spec: "==1.0+local", version: "1.0+LOCAL", prereleases: nil, expected: true),
        Case(spec: "!=1.0", version: "1.0+x", prereleases: nil, expected: false),
        Case(spec: "<=1.0", version: "1.0+x", prereleases: nil, expected: true),
        Case(spec: ">1.7", version: "1.7.post2", prereleases: nil, expected: false),
        Case(spec: ">1.7", version: "1.7.1", prereleases: nil, expected: true),
        Case(spec: ">1.7.post2", version: "1.7.post3", prereleases: nil, expected: true),
        Case(spec: ">1.7.post2", version: "1.7.post2+x", prereleases: nil, expected: false),
        Case(spec: ">1.7", version: "1.7+x", prereleases: nil, expected: false),
        Case(spec: ">1.7a1", version: "1.7a1.post1", prereleases: nil, expected: false),
        Case(spec: ">1.7a1", version: "1.7a2", prereleases: nil, expected: true),
        Case(spec: ">1.7.dev1", version: "1.7.dev1+x", prereleases: nil, expected: false),
        Case(spec: "<1.7", version: "1.7rc1", prereleases: nil, expected: false),
        Case(spec: "<1.7", version: "1.7.dev0", prereleases: nil, expected: false),
        Case(spec: "<1.7rc2", version: "1.7rc1", prereleases: nil, expected: true),
        Case(spec: "<1.7", version: "1.6.9", prereleases: nil, expected: true),
        Case(spec: "<0", version: "0.dev0", prereleases: nil, expected: false),
        Case(spec: ">=1.0", version: "2.0a1", prereleases: nil, expected: true),
        Case(spec: ">=1.0", version: "2.0a1", prereleases: false, expected: false),
        Case(spec: ">=1.0", version: "2.0a1", prereleases: true, expected: true),
        Case(spec: ">=1.0b1", version: "2.0a1", prereleases: nil, expected: true),
        Case(spec: "===foobar", version: "foobar", prereleases: nil, expected: true),
        Case(spec: "===foobar", version: "FooBar", prereleases: nil, expected: true),
        Case(spec: "===1.0", version: "1.0.0", prereleases: nil, expected: false),
        Case(spec: "===1.0", version: "1.0", prereleases: nil, expected: true),
        Case(spec: "==1.0.0", version: "1", prereleases: nil, expected: true),
        Case(spec: "==2!1.0", version: "1.0", prereleases: nil, expected: false),
        Case(spec: "", version: "1.0a1", prereleases: nil, expected: true),
        Case(spec: "", version: "1.0a1", prereleases: false, expected: false),
        Case(spec: "!=1.0a1", version: "1.0a2", prereleases: nil, expected: true),
        Case(spec: ">=1,<2,!=1.5.*", version: "1.5.1", prereleases: nil, expected: false),
        Case(spec: ">=1,<2,!=1.5.*", version: "1.6", prereleases: nil, expected: true),
    ]

    @Test("contains matches packaging", arguments: cases)
    func contains(_ c: Case) throws {
        let set = try SpecifierSet(c.spec)
        #expect(set.contains(c.version, prereleases: c.prereleases) == c.expected)
        if let v = try? Version(c.version), !set.hasArbitrary {
            #expect(set.contains(v, prereleases: c.prereleases) == c.expected)
            // The interval form is exact apart from pre-release policy.
            #expect(VersionSet(set).contains(v) == set.contains(v, prereleases: true))
        }
    }

    struct FilterCase: Sendable {
        let spec: String, versions: [String], prereleases: Bool?, expected: [String]
    }

    static let filterCases: [FilterCase] = [
        FilterCase(spec: ">=1.0", versions: ["1.0", "2.0a1"], prereleases: nil, expected: ["1.0"]),
        FilterCase(spec: ">=1.0", versions: ["2.0a1", "2.1b1"], prereleases: nil, expected: ["2.0a1", "2.1b1"]),
        FilterCase(spec: ">=1.0b1", versions: ["1.0b2", "1.0"], prereleases: nil, expected: ["1.0b2", "1.0"]),
        FilterCase(spec: ">=1.0", versions: ["1.0", "2.0a1"], prereleases: true, expected: ["1.0", "2.0a1"]),
        FilterCase(spec: "", versions: ["1.0", "2.0a1"], prereleases: nil, expected: ["1.0"]),
        FilterCase(spec: "", versions: ["2.0a1"], prereleases: nil, expected: ["2.0a1"]),
        FilterCase(spec: "!=1.0a1", versions: ["1.0a2", "1.0"], prereleases: nil, expected: ["1.0"]),
    ]

    @Test("filter applies PEP 440's pre-release default", arguments: filterCases)
    func filter(_ c: FilterCase) throws {
        let set = try SpecifierSet(c.spec)
        let got = set.filter(try c.versions.map { try Version($0) }, prereleases: c.prereleases).map(\.description)
        #expect(got == c.expected)
    }

    static let valid: [(String, String)] = [
        ("", ""), (">=1.0", ">=1.0"), ("==1.0.*", "==1.0.*"), ("==1.0+local", "==1.0+local"),
        ("=== foo", "===foo"), (">= 1.0", ">=1.0"), (">=v1.0", ">=v1.0"), ("==1.0-1", "==1.0-1"), ("<1!2.0", "<1!2.0"),
        (">=1.0,", ">=1.0"), ("<2, >=1.0 ,!=1.5", "!=1.5,<2,>=1.0"),
    ]

    @Test("parses and prints like packaging", arguments: valid)
    func parses(input: String, printed: String) throws {
        #expect(try SpecifierSet(input).description == printed)
    }

    static let invalid = ["~=1", "!=1.0a1.*", ">=1.0.*", ">=1.0+local", "~=1.0+local", "=1.0", "=>1.0", "==", "===", "=== ", "===foo bar", "~=1.0.*", "foo"]

    @Test("rejects invalid specifiers", arguments: invalid)
    func rejects(input: String) {
        #expect(throws: SpecifierError.self) { try SpecifierSet(input) }
    }

    @Test func prereleaseOpinion() throws {
        #expect(try SpecifierSet("").prereleases == nil)
        #expect(try SpecifierSet(">=1.0").prereleases == nil)
        #expect(try SpecifierSet(">=1.0b1").prereleases == true)
        #expect(try SpecifierSet("!=1.0b1").prereleases == nil)
        #expect(try Specifier("!=1.0b1").prereleases == false)
        #expect(try SpecifierSet(">=1.0", prereleases: false).contains(Version("2.0a1")) == false)
    }

    @Test func specifierEqualityIgnoresTrailingZerosExceptCompatible() throws {
        #expect(try Specifier("==1.2.3") == Specifier("== 1.2.3.0"))
        #expect(try Specifier("~=1.2") != Specifier("~=1.2.0"))
        #expect(try SpecifierSet(">=1,<2") == SpecifierSet("<2,>=1"))
    }
}

/// Found by fuzzing (Fuzz/crashes/packaging-specifier-wildcard-overflow): a bound one past
/// 2^63-1 used to trap; it is now an invalid specifier.
@Test(arguments: ["==9223372036854775807.*", "!=1.9223372036854775807.*", "~=9223372036854775807.0",
                  ">1.0.post9223372036854775807", ">1.0.dev9223372036854775807"])
func specifierBoundsThatWouldOverflowAreRejected(_ text: String) {
    #expect(throws: SpecifierError.self) { try Specifier(text) }
}

@Suite("Specifier bounds")
struct SpecifierBoundsTests {
    static let versions = [
        "0.9", "1.0.dev1", "1.0a1", "1.0a1.post1", "1.0b2", "1.0rc1", "1.0", "1.0+local", "1.0+local.2", "1.0.post1",
        "1.0.post1+x", "1.0.0.1", "1.1.dev0", "1.1a1", "1.1", "1.1.post2.dev1", "1.1.5", "1.2", "1.10", "2.0rc1", "2.0",
        "2.0+abc", "2!0.5", "2!1.0",
    ]
    static let operators = ["==", "!=", "<", "<=", ">", ">=", "~=", "==="]

    /// Every version a set contains, under every pre-release policy, lies within its bounds:
    /// every operator against every version above, and pairs of clauses.
    @Test func containedVersionsLieWithinTheBounds() throws {
        let parsed = try Self.versions.map { try Version($0) }
        var clauses: [String] = []
        for op in Self.operators {
            for text in Self.versions {
                if op == "~=" && !text.contains(".") { continue }
                clauses.append(op + text)
                if op == "==" || op == "!=", !text.contains("+") { clauses.append(op + text + ".*") }
            }
        }
        let sets = clauses.compactMap { try? SpecifierSet($0) }
            + stride(from: 0, to: clauses.count - 7, by: 7).compactMap { try? SpecifierSet(clauses[$0] + "," + clauses[$0 + 7]) }
        #expect(sets.count > 200)
        for set in sets {
            let (lower, upper) = set.admittedBounds
            for version in parsed {
                for policy in [true, false, nil] as [Bool?] where set.contains(version, prereleases: policy) {
                    #expect(lower.map { version >= $0 } ?? true, "\(set) contains \(version) below \(lower!)")
                    #expect(upper.map { version < $0 } ?? true, "\(set) contains \(version) at or above \(upper!)")
                }
            }
        }
    }

    @Test func boundsAreTheTightestClauses() throws {
        let bounds = try SpecifierSet(">=1.0,>1.2,<3,~=2.1").admittedBounds
        #expect(bounds.lower == (try Version("2.1")))
        #expect(bounds.upper == (try Version("3.dev0")))
        #expect(try SpecifierSet("!=1.0,<=2").admittedBounds.lower == nil)
        #expect(try SpecifierSet("!=1.0,<=2").admittedBounds.upper == nil)
    }
}
