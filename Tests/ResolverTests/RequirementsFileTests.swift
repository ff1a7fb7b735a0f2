import Foundation
import PackagingStandards
import Testing
@testable import Resolver

@Suite struct RequirementsFileTests {
    static let files: [String: String] = [
        "proj/requirements.txt": """
            # the app
            --index-url http://127.0.0.1:8080/simple
            --extra-index-url=http://127.0.0.1:8081/simple
            -f ./wheels
            -r base.txt
            -c constraints.txt
            flask[async]>=3.0 ; python_version >= "3.8"  # inline comment
            requests==2.32.3 \\
                --hash=sha256:aaaa \\
                --hash=sha256:bbbb
            ./dist/local_pkg-1.0-py3-none-any.whl
            tool @ http://127.0.0.1:8080/files/tool-2.0.tar.gz#sha256=cc
            ${EXTRA_PACKAGE}
            """,
        "proj/base.txt": "numpy>=2\n--pre\n",
        "proj/constraints.txt": "urllib3<2\n-r more-constraints.txt\n",
        "proj/more-constraints.txt": "idna==3.10\n",
        "cycle/a.txt": "-r b.txt\n",
        "cycle/b.txt": "-r a.txt\n",
    ]

    static func read(_ path: String) throws -> String {
        guard let text = files[path] else { throw RequirementsFileError.unsupportedOption(file: path, line: 0, option: "missing") }
        return text
    }

    @Test func parsesEveryResolutionInput() throws {
        let file = try RequirementsFile.parse(path: "proj/requirements.txt", environment: ["EXTRA_PACKAGE": "six"], read: Self.read)
        #expect(file.requirements.map(\.canonicalName) == ["numpy", "flask", "requests", "local-pkg", "tool", "six"])
        #expect(file.constraints.map(\.canonicalName) == ["urllib3", "idna"])
        #expect(file.indexURL == "http://127.0.0.1:8080/simple")
        #expect(file.extraIndexURLs == ["http://127.0.0.1:8081/simple"])
        #expect(file.findLinks.count == 1 && file.findLinks[0].hasSuffix("/proj/wheels"))
        #expect(file.allowPrereleases)
        let flask = file.requirements[1]
        #expect(flask.normalizedExtras == ["async"])
        #expect(flask.marker != nil)
        #expect(file.requirements[2].specifier.description == "==2.32.3")
        #expect(file.requirements[3].url?.hasSuffix("/proj/dist/local_pkg-1.0-py3-none-any.whl") == true)
        #expect(file.requirements[4].url == "http://127.0.0.1:8080/files/tool-2.0.tar.gz#sha256=cc")
    }

    @Test func filesAreReadAsUTF8TextWithoutAByteOrderMark() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reqfile-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("requirements.txt").path
        try Data([0xEF, 0xBB, 0xBF] + Array("flask>=3\n# café\n".utf8)).write(to: URL(fileURLWithPath: path))
        #expect(try RequirementsFile.readText(path) == "flask>=3\n# café\n")
        #expect(try RequirementsFile.parse(path: path).requirements.map(\.name) == ["flask"])
        let big = String(repeating: "# padding line\n", count: 20_000) + "requests\n"
        try Data(big.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try RequirementsFile.readText(path) == big)
        try Data([0x66, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect(throws: RequirementsFile.ReadFailure.self) { try RequirementsFile.readText(path) }
        let missing = #expect(throws: RequirementsFileError.self) {
            try RequirementsFile.parse(path: directory.appendingPathComponent("missing.txt").path)
        }
        #expect(missing.map { "\($0)".contains("No such file or directory") } == true)
    }

    @Test func reportsIncludeCycles() {
        #expect(throws: RequirementsFileError.self) { try RequirementsFile.parse(path: "cycle/a.txt", read: Self.read) }
    }

    @Test(arguments: ["flask >>= 3", "-e ./src", "--unknown-option x"])
    func rejectsWithFileAndLine(_ line: String) {
        do {
            _ = try RequirementsFile.parse(text: "ok\n" + line, file: "req.txt", read: Self.read)
            Issue.record("expected an error")
        } catch let error as RequirementsFileError {
            #expect(error.description.hasPrefix("req.txt:2:"), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func hashInURLFragmentIsNotAComment() throws {
        let file = try RequirementsFile.parse(text: "pkg @ http://127.0.0.1/pkg-1.0.tar.gz#sha256=ff # comment", read: Self.read)
        #expect(file.requirements.first?.url == "http://127.0.0.1/pkg-1.0.tar.gz#sha256=ff")
    }
}
