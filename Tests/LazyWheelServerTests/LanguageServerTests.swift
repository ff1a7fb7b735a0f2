import DependencyDocuments
import JSONRPC
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
        let markdown = HoverMarkdown.render(occurrence, insight: .notConfigured("no package index is configured"), target: nil)
        #expect(markdown.contains("**idna**"))
        #expect(markdown.contains("indexUrl"))
    }

    @Test func capabilitiesAdvertiseTheEditorFeatures() {
        let capabilities = LanguageServerState.capabilities
        #expect(capabilities["hoverProvider"] == .bool(true))
        #expect(capabilities["completionProvider"] != nil)
        #expect(capabilities["codeLensProvider"] != nil)
        #expect(capabilities["textDocumentSync"]?["change"] == .int(2))
        #expect(LazyWheelService.registry.requestType(for: "textDocument/hover") != nil)
        #expect(LazyWheelService.registry.notificationType(for: "textDocument/didChange") != nil)
    }
}
