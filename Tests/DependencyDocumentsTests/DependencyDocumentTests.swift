import Testing
import TOML
@testable import DependencyDocuments

@Suite("requirements files")
struct RequirementsFileTests {
    @Test func requirementLinesOptionsAndComments() throws {
        let text = """
            # a comment
            -r base.txt
            --index-url http://127.0.0.1:8080/simple
            -e ./local
            requests[socks]>=2.31,<3 ; python_version >= "3.8"  # trailing comment
            idna==3.10 \\
                --hash=sha256:abcdef
            ./dist/thing-1.0-py3-none-any.whl
            not a valid requirement!
            six
            """
        let document = try #require(DependencyDocument(fileName: "requirements-dev.txt", text: text))
        #expect(document.options.map(\.name) == ["-r", "--index-url", "-e"])
        #expect(document.options[0].value == "base.txt")
        #expect(document.options[1].value == "http://127.0.0.1:8080/simple")
        #expect(document.occurrences.map(\.name) == ["requests", "idna", "not", "six"])

        let requests = document.occurrences[0]
        #expect(requests.requirement?.specifier.description == "<3,>=2.31")
        #expect(requests.requirement?.marker != nil)
        #expect(requests.nameRange.start == SourcePosition(line: 4, utf16Column: 0, byteOffset: requests.nameRange.start.byteOffset))
        #expect(requests.nameRange.end.utf16Column == 8)
        #expect(requests.range.end.utf16Column == 50)
        #expect(requests.constraintRange?.start.utf16Column == 15)
        #expect(requests.constraintRange?.end.utf16Column == 24)

        let idna = document.occurrences[1]
        #expect(idna.text == "idna==3.10")
        #expect(idna.requirement?.specifier.description == "==3.10")
        #expect(idna.range.start.line == 5)

        #expect(document.occurrences[2].requirement == nil)
        #expect(document.occurrences[2].parseError != nil)
        #expect(document.occurrences[3].requirement?.name == "six")
        #expect(document.occurrence(atLine: 9, utf16Column: 1)?.name == "six")
    }

    @Test func continuationAcrossLinesKeepsPositions() throws {
        let document = DependencyDocument(kind: .requirements(isConstraints: true), text: "flask\\\n>=2.0\n")
        let flask = try #require(document.occurrences.first)
        #expect(flask.text == "flask>=2.0")
        #expect(flask.isConstraint)
        #expect(flask.range.start.line == 0 && flask.range.end.line == 1 && flask.range.end.utf16Column == 5)
        #expect(flask.constraintRange?.start.line == 1)
    }

    @Test func environmentVariablesIndexOptionsAndLocations() throws {
        let text = "--index-url ${INDEX}\n--extra-index-url=http://127.0.0.1:8081/simple\n-f ./wheels\n${PKG}>=1\n./dist/a-1.0-py3-none-any.whl\n${UNSET}x\n"
        let document = DependencyDocument(kind: .requirements(isConstraints: false), text: text, environment: ["INDEX": "http://127.0.0.1/simple/", "PKG": "six"])
        #expect(document.indexSettings.indexURL?.value == "http://127.0.0.1/simple/")
        #expect(document.indexSettings.indexURL?.range.start.line == 0)
        #expect(document.indexSettings.extraIndexURLs.map(\.value) == ["http://127.0.0.1:8081/simple"])
        #expect(document.indexSettings.findLinks.map(\.value) == ["./wheels"])
        #expect(document.occurrences.first?.requirement?.name == "six")
        #expect(document.occurrences.first?.range.start.line == 3)
        #expect(document.locations.map(\.text) == ["./dist/a-1.0-py3-none-any.whl"])
        #expect(document.occurrences.last?.text == "${UNSET}x")
    }

    @Test func incompleteRequirementStillNamesTheProject() throws {
        let document = DependencyDocument(kind: .requirements(isConstraints: false), text: "requests==\n")
        let occurrence = try #require(document.occurrences.first)
        #expect(occurrence.name == "requests")
        #expect(occurrence.requirement == nil)
    }

    @Test(arguments: [
        ("requirements.txt", true), ("requirements-dev.txt", true), ("dev-requirements.txt", true), ("requirements.in", true),
        ("constraints.txt", true), ("pyproject.toml", true), ("README.txt", false), ("setup.py", false),
        ("requirements/dev.txt", true), ("requirements/base.in", true), ("requirements-test.in", true),
        ("constraints-web.txt", true), ("docs/notes.txt", false),
    ])
    func detection(name: String, detected: Bool) {
        #expect((DependencyDocumentKind.detect(fileName: "/some/dir/" + name) != nil) == detected)
    }
}

@Suite("pyproject.toml")
struct PyprojectTests {
    static let text = """
        [build-system]
        requires = ["hatchling>=1.18"]

        [project]
        name = "demo"
        dependencies = [
          "requests>=2,<3",
          "idna",
          "bad requirement here",
          "esc\\u0061ped",
        ]

        [project.optional-dependencies]
        socks = ["PySocks!=1.5.7"]

        [dependency-groups]
        test = ["pytest>=8", {include-group = "lint"}, {include-group = "missing"}]
        lint = ["ruff"]

        [tool.uv]
        dev-dependencies = ["mypy"]
        constraint-dependencies = ["urllib3<2"]

        [tool.poetry.dependencies]
        python = "^3.9"
        attrs = "^23.1"
        cattrs = { version = "~1.2", extras = ["x"], python = ">=3.10" }
        local = { path = "../local" }
        anything = "*"

        [tool.poetry.group.docs.dependencies]
        sphinx = ">=7, <8"
        union = "^1 || ^2"
        """

    @Test func uvIndexesAndRequiresPython() throws {
        let text = """
            [project]
            name = "x"
            requires-python = ">=3.12"

            [tool.uv]
            extra-index-url = ["http://127.0.0.1:2/simple/"]

            [[tool.uv.index]]
            name = "internal"
            url = "http://127.0.0.1:1/simple/"

            [[tool.uv.index]]
            url = "http://127.0.0.1:3/simple/"
            default = true
            """
        let document = DependencyDocument(kind: .pyproject, text: text)
        #expect(document.requiresPython?.value == ">=3.12")
        #expect(document.indexSettings.indexURL?.value == "http://127.0.0.1:3/simple/")
        #expect(document.indexSettings.indexURL?.key == "[[tool.uv.index]] url")
        #expect(document.indexSettings.extraIndexURLs.map(\.value) == ["http://127.0.0.1:1/simple/", "http://127.0.0.1:2/simple/"])
    }

    @Test func everySection() throws {
        let document = DependencyDocument(kind: .pyproject, text: Self.text)
        let names = document.occurrences.map(\.name)
        #expect(names == ["hatchling", "requests", "idna", "bad", "escaped", "PySocks", "pytest", "ruff", "mypy", "urllib3",
                          "attrs", "cattrs", "local", "anything", "sphinx", "union"])
        let sections = document.occurrences.map(\.section)
        #expect(sections[0] == .buildSystemRequires)
        #expect(sections[1] == .projectDependencies)
        #expect(sections[5] == .optionalDependencies(extra: "socks"))
        #expect(sections[6] == .dependencyGroup("test"))
        #expect(sections[8] == .uv(key: "dev-dependencies"))
        #expect(document.occurrences[9].isConstraint)
        #expect(sections[10] == .poetry(group: nil))
        #expect(sections[14] == .poetry(group: "docs"))
        #expect(document.groupIncludes.map(\.included) == ["lint", "missing"])
        #expect(document.problems.count == 1)
        #expect(document.problems[0].message.contains("missing"))
    }

    @Test func rangesPointInsideTheQuotes() throws {
        let document = DependencyDocument(kind: .pyproject, text: Self.text)
        let requests = document.occurrences[1]
        #expect(requests.range.start.line == 6 && requests.range.start.utf16Column == 3)
        #expect(requests.range.end.utf16Column == 17)
        #expect(requests.nameRange.end.utf16Column == 11)
        #expect(requests.constraintRange?.start.utf16Column == 11)
        // An escaped string cannot map positions inside: the whole string is the range.
        let escaped = document.occurrences[4]
        #expect(escaped.requirement?.name == "escaped")
        #expect(escaped.range.start.utf16Column == 2)
        #expect(document.occurrences[3].parseError != nil)
    }

    @Test func poetryEntries() throws {
        let document = DependencyDocument(kind: .pyproject, text: Self.text)
        let byName = Dictionary(uniqueKeysWithValues: document.occurrences.map { ($0.name, $0) })
        #expect(byName["attrs"]?.text == "attrs>=23.1,<24.0")
        #expect(byName["attrs"]?.nameRange.start.utf16Column == 0)
        #expect(byName["attrs"]?.constraintRange?.start.utf16Column == 9)
        #expect(byName["cattrs"]?.text == "cattrs[x]>=1.2,<1.3 ; python_version >= \"3.10\"")
        #expect(byName["cattrs"]?.requirement != nil)
        #expect(byName["local"]?.requirement == nil && byName["local"]?.parseError == nil)
        #expect(byName["anything"]?.requirement?.specifier.isEmpty == true)
        #expect(byName["sphinx"]?.requirement?.specifier.description == "<8,>=7")
        #expect(byName["union"]?.parseError?.contains("||") == true)
    }

    @Test func invalidTOMLIsAProblemNotACrash() {
        let document = DependencyDocument(kind: .pyproject, text: "[project]\ndependencies = [\"a\",\n")
        #expect(document.occurrences.isEmpty)
        #expect(document.problems.count == 1)
        #expect(document.problems[0].range.start.line == 2)
    }

    @Test func wrongTypes() {
        let document = DependencyDocument(kind: .pyproject, text: "[project]\ndependencies = \"requests\"\n")
        #expect(document.problems.first?.message.contains("array") == true)
    }
}

@Suite("poetry constraints")
struct PoetryConstraintTests {
    @Test(arguments: [
        ("^1.2.3", ">=1.2.3,<2.0.0"), ("^1.2", ">=1.2,<2.0"), ("^1", ">=1,<2"), ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"), ("^0.0", ">=0.0,<0.1"), ("^0", ">=0,<1"), ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1.2", ">=1.2,<1.3"), ("~1", ">=1,<2"), ("1.2.3", "==1.2.3"), ("1.2.*", "==1.2.*"), ("*", ""),
        (">= 1.2, < 2", ">=1.2,<2"), (">=1.2 <2", ">=1.2,<2"), ("~=1.4", "~=1.4"), ("==2.0", "==2.0"),
    ])
    func conversion(poetry: String, pep440: String) throws {
        #expect(try PoetryConstraint.pep440(poetry) == pep440)
    }

    @Test func refusals() {
        #expect(throws: PoetryConstraint.ConversionError.self) { try PoetryConstraint.pep440("^1 || ^2") }
        #expect(throws: PoetryConstraint.ConversionError.self) { try PoetryConstraint.pep440("^x.y") }
    }

    @Test func pythonMarker() throws {
        #expect(try PoetryConstraint.pythonMarker("^3.8") == "python_version >= \"3.8\" and python_version < \"4.0\"")
        #expect(try PoetryConstraint.pythonMarker("*") == nil)
    }
}
