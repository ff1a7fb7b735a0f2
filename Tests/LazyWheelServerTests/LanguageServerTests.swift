import Foundation
import DependencyDocuments
import JSONRPC
import PackagingStandards
import WorkScheduling
import Testing
import TOML
@testable import LazyWheelServer

@Suite("language server mode")
struct LanguageServerTests {
    private func change(_ startLine: Int, _ startCharacter: Int, _ endLine: Int, _ endCharacter: Int, _ text: String)
        -> DidChangeTextDocumentNotification.ContentChange
    {
        .init(range: LSPRange(start: LSPPosition(line: startLine, character: startCharacter),
                              end: LSPPosition(line: endLine, character: endCharacter)), text: text)
    }

    @Test func incrementalAndFullSync() throws {
        let documents = OpenDocuments()
        _ = documents.open(uri: "file:///p/requirements.txt", version: 1, text: "idna==3.1\n😀x==1\n")
        var document = try documents.change(uri: "file:///p/requirements.txt", version: 2, changes: [
            change(0, 9, 0, 9, "0"),
            change(1, 2, 1, 3, "six"),  // after the surrogate pair: UTF-16 column 2
        ])
        #expect(document.text == "idna==3.10\n😀six==1\n")
        #expect(document.version == 2)
        #expect(document.dependencies?.occurrences.first?.requirement?.specifier.description == "==3.10")
        document = try documents.change(uri: "file:///p/requirements.txt", version: 3, changes: [.init(range: nil, text: "six\n")])
        #expect(document.text == "six\n")
        documents.close(uri: "file:///p/requirements.txt")
        #expect(documents.document("file:///p/requirements.txt") == nil)
        #expect(throws: DocumentSyncError.self) {
            try documents.change(uri: "file:///p/requirements.txt", version: 4, changes: [])
        }
    }

    @Test func onlyDependencyDocumentsAreParsed() {
        #expect(OpenDocument(uri: "file:///p/pyproject.toml", version: 1, text: "").dependencies != nil)
        #expect(OpenDocument(uri: "file:///p/notes.txt", version: 1, text: "idna").dependencies == nil)
    }

    @Test(arguments: [
        ("idna==3.", 8, 6), ("idna >= 3", 9, 8), ("idna~=", 6, 6), ("idna", 4, nil), ("idna[x]<", 8, 8),
    ] as [(String, Int, Int?)])
    func completionStartsAfterAnOperator(line: String, cursor: Int, expected: Int?) throws {
        let document = DependencyDocument(kind: .requirements(isConstraints: false), text: line)
        let occurrence = try #require(document.occurrences.first)
        #expect(CompletionRequest.versionStart(in: Array(line.utf16), cursor: cursor, occurrence: occurrence) == expected)
    }

    @Test func syntaxDiagnostics() {
        let document = DependencyDocument(kind: .pyproject, text: "[project]\ndependencies = [\"ok\", \"not valid!\", 3]\n")
        let diagnostics = LanguageServerState.syntaxDiagnostics(document)
        #expect(diagnostics.map(\.code) == ["document", "invalid-requirement"])
        #expect(diagnostics.allSatisfy { $0.severity == .error && $0.range.start.line == 1 })
    }

    @Test func unknownProjectDiagnosticPointsAtTheName() throws {
        let document = DependencyDocument(kind: .requirements(isConstraints: false), text: "  nothing-here>=1\n")
        let occurrence = try #require(document.occurrences.first)
        let diagnostics = LanguageServerState.projectDiagnostics(occurrence, insight: .unknownProject("not found"))
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].range == LSPRange(start: LSPPosition(line: 0, character: 2), end: LSPPosition(line: 0, character: 14)))
        #expect(LanguageServerState.projectDiagnostics(occurrence, insight: .failed("offline")).isEmpty)
    }

    @Test func hoverExplainsMissingIndexConfiguration() throws {
        let document = DependencyDocument(kind: .requirements(isConstraints: false), text: "idna\n")
        let occurrence = try #require(document.occurrences.first)
        let markdown = HoverMarkdown.render(occurrence, insight: .notConfigured("no package index is configured"), scope: nil)
        #expect(markdown.contains("**idna**"))
        #expect(markdown.contains("indexUrl"))
    }

    @Test(arguments: [
        ("idna==3.1", "3.10", "==3.10"), ("requests>=2.31", "2.32.3", ">=2.32.3"), ("requests~=2.31", "2.32.3", "~=2.32"),
        ("requests>=2.0,<2.30", "2.32.3", ">=2.32.3"), ("requests==2.32.3", "2.32.3", nil), ("requests", "2.32.3", nil),
        ("requests==2.*", "2.32.3", nil),
    ] as [(String, String, String?)])
    func updateKeepsTheOperatorStyle(line: String, latest: String, expected: String?) throws {
        let document = OpenDocument(uri: "file:///p/requirements.txt", version: 1, text: line + "\n")
        let occurrence = try #require(document.dependencies?.occurrences.first)
        #expect(VersionEdits.update(occurrence, to: try Version(latest), in: document)?.newText == expected)
    }

    @Test func poetryUpdateAndPin() throws {
        let document = OpenDocument(uri: "file:///p/pyproject.toml", version: 1, text: "[tool.poetry.dependencies]\nrequests = \"^2.31\"\n")
        let occurrence = try #require(document.dependencies?.occurrences.first)
        #expect(VersionEdits.update(occurrence, to: try Version("2.32.3"), in: document)?.newText == "^2.32.3")
        #expect(VersionEdits.pin(occurrence, to: try Version("2.32.3"), in: document)?.newText == "2.32.3")
    }

    @Test func pinInsertsAfterNameAndExtras() throws {
        let document = OpenDocument(uri: "file:///p/requirements.txt", version: 1, text: "requests[socks] ; python_version > '3'\n")
        let occurrence = try #require(document.dependencies?.occurrences.first)
        let edit = try #require(VersionEdits.pin(occurrence, to: try Version("2.32.3"), in: document))
        #expect(edit.newText == "==2.32.3")
        #expect(edit.range.start == LSPPosition(line: 0, character: 15))
    }

    @Test func closeNames() {
        #expect(ProjectList.closest(to: "reqeusts", among: ["requests", "idna", "request-toolbelt"]) == ["requests"])
        #expect(ProjectList.closest(to: "nmupy", among: ["numpy", "numba"]) == ["numpy"])
        #expect(ProjectList.closest(to: "zzzzzz", among: ["numpy"]).isEmpty)
        #expect(ProjectList.names(inRootPage: Data("<html><a href=\"a/\">a</a>\n<a href='b-c/'>b-c</a></html>".utf8)) == ["a", "b-c"])
    }

    @Test(arguments: [(">=3.12", "3.12"), (">=3.9,<4", "3.9"), ("~=3.10", "3.10"), (">3.11", "3.11"), (">=3.12.1", "3.12"), ("<3", nil)]
        as [(String, String?)])
    func lowestPythonAdmitted(requiresPython: String, expected: String?) {
        #expect(LookupScopes.lowestPython(admittedBy: requiresPython) == expected)
    }

    @Test func pipConfigList() {
        let values = PipIndexQuery.parseConfigList("global.index-url='http://127.0.0.1/simple/'\ninstall.extra-index-url=\"http://a/ http://b/\"\n")
        #expect(values["global.index-url"] == "http://127.0.0.1/simple/")
        #expect(values["install.extra-index-url"] == "http://a/ http://b/")
        let calls = Locked(0)
        let query = PipIndexQuery { arguments in
            calls.withLock { $0 += 1 }
            return arguments.first == "-m" ? "global.index-url='http://127.0.0.1/simple/'\n" : nil
        }
        #expect(query.answer()?.indexURL == "http://127.0.0.1/simple/")
        #expect(query.answer()?.origin.hasPrefix("pip configuration (global.index-url") == true)
        #expect(calls.withLock { $0 } == 1)
    }

    @Test func initializationOptionsMayBeEmptyArrayNullOrObject() throws {
        for text in ["[]", "null", "{}", "{\"indexUrl\": \"http://127.0.0.1/simple/\"}"] {
            let json = try JSONValue(parsing: Data("{\"initializationOptions\": \(text)}".utf8))
            let request = try json.decode(InitializeRequest.self)
            #expect((request.initializationOptions?.options?.indexUrl != nil) == text.contains("indexUrl"))
        }
        let refused = try JSONValue(parsing: Data("{\"initializationOptions\": [1]}".utf8))
        #expect(throws: (any Error).self) { try refused.decode(InitializeRequest.self) }
    }

    @Test func settingsIgnoreEmptyStringsAndUnknownKeys() {
        let options = ServerOptions.fromSettings(["lazywheel": ["indexUrl": "", "python": "3.11", "serverPath": "x"]])
        #expect(options?.indexUrl == nil)
        #expect(options?.python == "3.11")
    }

    @Test func editedLinesAreTheChangedOnes() {
        #expect(OpenDocuments.changedLines("a\nb\nc\n", "a\nbx\nc\n") == [1])
        #expect(OpenDocuments.changedLines("a\n", "a\nflask==\n") == [1])
    }

    @Test func capabilitiesAdvertiseTheEditorFeatures() {
        let capabilities = LanguageServerState.capabilities
        #expect(capabilities["hoverProvider"] == .bool(true))
        #expect(capabilities["completionProvider"] != nil)
        #expect(capabilities["codeLensProvider"] != nil)
        #expect(capabilities["inlayHintProvider"] == .bool(true))
        #expect(capabilities["codeActionProvider"] != nil)
        #expect(capabilities["documentLinkProvider"] != nil)
        #expect(LazyWheelService.registry.requestType(for: "workspace/executeCommand") != nil)
        #expect(LazyWheelService.registry.notificationType(for: "workspace/didChangeConfiguration") != nil)
        #expect(capabilities["textDocumentSync"]?["change"] == .int(2))
        #expect(LazyWheelService.registry.requestType(for: "textDocument/hover") != nil)
        #expect(LazyWheelService.registry.notificationType(for: "textDocument/didChange") != nil)
    }
}
