import Testing
@testable import PackagingStandards

// Expected values below were produced by `packaging` 26.3.

@Suite("PEP 508 markers")
struct MarkerTests {
    static let environment = MarkerEnvironment(values: [
        "python_version": "3.12", "python_full_version": "3.12.1", "os_name": "posix", "sys_platform": "linux",
        "platform_machine": "x86_64", "platform_system": "Linux", "platform_release": "6.5.0-41-generic",
        "platform_version": "", "platform_python_implementation": "CPython", "implementation_name": "cpython",
        "implementation_version": "3.12.1",
    ])

    /// (marker, result without extra, result with extra "test_extra", normalized form); nil = UndefinedComparison.
    static let cases: [(String, Bool?, Bool?, String)] = [
        (#"python_version >= "3.8""#, true, true, #"python_version >= "3.8""#),
        (#"python_version < "3.8""#, false, false, #"python_version < "3.8""#),
        ("python_version > '3.12'", false, false, #"python_version > "3.12""#),
        (#"python_version == "3.12.*""#, true, true, #"python_version == "3.12.*""#),
        (#"python_full_version ~= "3.12.0""#, true, true, #"python_full_version ~= "3.12.0""#),
        (#"sys_platform == "win32" or os_name == "nt" and python_version >= "3.9""#, false, false,
         #"sys_platform == "win32" or os_name == "nt" and python_version >= "3.9""#),
        (#"(sys_platform == "win32" or os_name == "posix") and python_version >= "3.9""#, true, true,
         #"(sys_platform == "win32" or os_name == "posix") and python_version >= "3.9""#),
        (#""lin" in sys_platform"#, true, true, #""lin" in sys_platform"#),
        (#""x" not in platform_machine"#, false, false, #""x" not in platform_machine"#),
        (#"os_name < "z""#, false, false, #"os_name < "z""#),
        (#"os_name <= "posix""#, true, true, #"os_name <= "posix""#),
        (#"platform_release >= "6""#, false, false, #"platform_release >= "6""#),
        (#"platform_release == "6.5.0-41-generic""#, true, true, #"platform_release == "6.5.0-41-generic""#),
        (#"extra == "Test_Extra""#, false, true, #"extra == "test-extra""#),
        (#"python_version === "3.12""#, true, true, #"python_version === "3.12""#),
        (#"platform_machine ~= "x86""#, nil, nil, #"platform_machine ~= "x86""#),
        (#"implementation_name === "cpython""#, nil, nil, #"implementation_name === "cpython""#),
        (#""3.8" < python_version"#, true, true, #""3.8" < python_version"#),
        (#"python_implementation == "CPython""#, true, true, #"platform_python_implementation == "CPython""#),
        (#"os.name == "posix""#, true, true, #"os_name == "posix""#),
        ("python_version>='3'and os_name=='posix'", true, true, #"python_version >= "3" and os_name == "posix""#),
    ]

    @Test("evaluates and prints like packaging", arguments: cases)
    func evaluate(marker text: String, plain: Bool?, withExtra: Bool?, normalized: String) throws {
        let marker = try Marker(text)
        #expect(marker.description == normalized)
        #expect(try Marker(marker.description) == marker)
        for (extra, expected) in [(nil, plain), ("test_extra", withExtra)] as [(String?, Bool?)] {
            if let expected {
                #expect(try marker.evaluate(Self.environment, extra: extra) == expected)
            } else {
                #expect(throws: MarkerEvaluationError.self) { try marker.evaluate(Self.environment, extra: extra) }
            }
        }
    }

    @Test func missingVariableIsReported() throws {
        let marker = try Marker(#"python_version >= "3""#)
        #expect(throws: MarkerEvaluationError.undefinedEnvironmentName("python_version")) {
            try marker.evaluate(MarkerEnvironment(values: [:]))
        }
    }

    static let invalid = ["", "os_name", "os_name == ", "os_name = 'a'", #"os_name == "a'"#, "os_name == 'a' and", "(os_name == 'a'", "foo == 'a'", "os_name == 'a\\x4'"]

    @Test("rejects malformed markers", arguments: invalid)
    func rejects(text: String) {
        #expect(throws: DependencySyntaxError.self) { try Marker(text) }
    }

    @Test func escapesInQuotedStrings() throws {
        #expect(try Marker(#"os_name == 'a\tb'"#).description == "os_name == \"a\tb\"")
        #expect(try Marker(#"os_name == '\x41\101'"#).description == #"os_name == "AA""#)
    }

    @Test func extrasHelper() throws {
        let marker = try Marker(#"extra == "Socks" or python_version < "3""#)
        #expect(marker.referencedExtras == ["socks"])
        #expect(try marker.evaluate(Self.environment, extras: ["SOCKS"]))
        #expect(try !marker.evaluate(Self.environment, extras: ["other"]))
    }

    @Test func targetEnvironments() throws {
        let linux = MarkerEnvironment(pythonVersion: "3.12", platform: try TargetPlatform("manylinux_2_28_x86_64"))
        #expect(linux.pythonFullVersion == "3.12.0" && linux.sysPlatform == "linux" && linux.platformMachine == "x86_64")
        let windows = MarkerEnvironment(pythonVersion: "3.11.4", platform: try TargetPlatform("win_amd64"))
        #expect(windows.osName == "nt" && windows.sysPlatform == "win32" && windows.platformMachine == "AMD64")
        let mac = MarkerEnvironment(pythonVersion: "3.13", platform: try TargetPlatform("macosx_14_0_arm64"))
        #expect(mac.sysPlatform == "darwin" && mac.platformSystem == "Darwin" && mac.platformRelease == "23.0.0")
        #expect(try Marker(#"sys_platform == "darwin" and platform_machine == "arm64""#).evaluate(mac))
    }
}

@Suite("PEP 508 requirements")
struct RequirementTests {
    /// (input, str(), name, extras, specifier, url, marker) from packaging.
    static let cases: [(String, String, String, [String], String, String?, String?)] = [
        ("requests", "requests", "requests", [], "", nil, nil),
        ("requests[security,socks] >=2.8.1, ==2.8.*", "requests[security,socks]==2.8.*,>=2.8.1", "requests", ["security", "socks"], "==2.8.*,>=2.8.1", nil, nil),
        ("requests [Socks]", "requests[Socks]", "requests", ["Socks"], "", nil, nil),
        ("name (>=1.0,<2)", "name<2,>=1.0", "name", [], "<2,>=1.0", nil, nil),
        ("name>=1.0;python_version<'3.8'", #"name>=1.0; python_version < "3.8""#, "name", [], ">=1.0", nil, #"python_version < "3.8""#),
        ("name @ https://example.invalid/a.whl", "name @ https://example.invalid/a.whl", "name", [], "", "https://example.invalid/a.whl", nil),
        ("name @ https://example.invalid/a.whl ; os_name == 'nt'", #"name @ https://example.invalid/a.whl ; os_name == "nt""#, "name", [], "", "https://example.invalid/a.whl", #"os_name == "nt""#),
        ("name@ https://example.invalid/a.whl;os_name=='nt'", "name @ https://example.invalid/a.whl;os_name=='nt'", "name", [], "", "https://example.invalid/a.whl;os_name=='nt'", nil),
        ("Foo_Bar[B,a] ; extra == 'Test'", #"Foo_Bar[B,a]; extra == "test""#, "Foo_Bar", ["B", "a"], "", nil, #"extra == "test""#),
        ("zope.interface>=5", "zope.interface>=5", "zope.interface", [], ">=5", nil, nil),
        ("name ==1.0.*", "name==1.0.*", "name", [], "==1.0.*", nil, nil),
        ("name ~= 1.0", "name~=1.0", "name", [], "~=1.0", nil, nil),
        ("name===arbitrary", "name===arbitrary", "name", [], "===arbitrary", nil, nil),
        // packaging 26.4 reads a list holding `===` as a whole set: the operand ends at the comma.
        ("name ===1.0, <2", "name<2,===1.0", "name", [], "<2,===1.0", nil, nil),
        ("name (>=1, ===1.0.x ,)", "name===1.0.x,>=1", "name", [], "===1.0.x,>=1", nil, nil),
        ("name===a.b, ==1.*; os_name == 'nt'", #"name==1.*,===a.b; os_name == "nt""#, "name", [], "==1.*,===a.b", nil, #"os_name == "nt""#),
        // ...and clause by clause when that fails, where the operand still runs on over commas.
        ("name ===1,,<2", "name<2,===1", "name", [], "<2,===1", nil, nil),
    ]

    @Test("parses and prints like packaging", arguments: cases)
    func parses(_ input: String, _ printed: String, _ name: String, _ extras: [String], _ spec: String, _ url: String?, _ marker: String?) throws {
        let r = try Requirement(input)
        #expect(r.description == printed)
        #expect(r.name == name && r.extras == extras && r.specifier.description == spec && r.url == url)
        #expect(r.marker?.description == marker)
        #expect(try Requirement(r.description) == r)
    }

    static let invalid = [
        "", "name[", "name[a b]", "name>=1.0.*", "name>=1.0+l", "name @", "name @ url extra", "name;", "name; os_name",
        "name ==1.0 ==2.0", "-name", "name (>=1.0", "name; os_name == 'a' and", "name; os_name = 'a'",
        "name ===", "name ===1, ===bad operand",
        // A URL ends at any whitespace (packaging 26.4), and only a space or tab may follow it.
        "name @ https://example.invalid/a.whl\n", "name @ https://example.invalid/a.whl\u{0C}",
    ]

    @Test("rejects malformed requirements", arguments: invalid)
    func rejects(input: String) {
        #expect(throws: RequirementError.self) { try Requirement(input) }
    }

    @Test func normalizedIdentity() throws {
        #expect(try Requirement("Foo_Bar[Socks]>=1.0") == Requirement("foo-bar[socks]>=1.0.0"))
        #expect(canonicalName("Foo.Bar__baz") == "foo-bar-baz")
        #expect(normalizedExtra("Use_Chardet.on-py3") == "use-chardet-on-py3")
    }
}
