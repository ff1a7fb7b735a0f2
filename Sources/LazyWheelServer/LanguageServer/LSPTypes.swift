import Foundation
import JSONRPC
import TOML

// The Language Server Protocol 3.17 structures the dependency editor features use
// (https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/).

/// LSP `Position`: zero-based line and UTF-16 character offset.
struct LSPPosition: Codable, Sendable, Hashable {
    var line: Int
    var character: Int
}

/// LSP `Range`: `[start, end)`.
struct LSPRange: Codable, Sendable, Hashable {
    var start: LSPPosition
    var end: LSPPosition

    init(start: LSPPosition, end: LSPPosition) {
        self.start = start
        self.end = end
    }

    init(_ range: SourceRange) {
        start = LSPPosition(line: range.start.line, character: range.start.utf16Column)
        end = LSPPosition(line: range.end.line, character: range.end.utf16Column)
    }
}

struct TextDocumentIdentifier: Codable, Sendable, Hashable {
    var uri: String
}

/// LSP `MarkupContent` (`kind` is `markdown` or `plaintext`).
struct MarkupContent: Codable, Sendable, Hashable {
    var kind: String
    var value: String

    static func markdown(_ value: String) -> MarkupContent { MarkupContent(kind: "markdown", value: value) }
}

/// LSP `Hover`.
struct Hover: Codable, Sendable, Hashable {
    var contents: MarkupContent
    var range: LSPRange?
}

/// LSP `DiagnosticSeverity`.
enum DiagnosticSeverity: Int, Codable, Sendable {
    case error = 1, warning = 2, information = 3, hint = 4
}

/// LSP `Diagnostic`.
struct Diagnostic: Codable, Sendable, Hashable {
    var range: LSPRange
    var severity: DiagnosticSeverity
    var code: String?
    var source: String = "lazywheel"
    var message: String
    /// Carried back in `textDocument/codeAction` (the suggested names of an unknown project).
    var data: JSONValue?
}

/// `textDocument/publishDiagnostics` params.
struct PublishDiagnosticsParams: Codable, Sendable {
    var uri: String
    var version: Int?
    var diagnostics: [Diagnostic]
}

/// LSP `TextEdit`.
struct TextEdit: Codable, Sendable, Hashable {
    var range: LSPRange
    var newText: String
}

/// LSP `CompletionItem` (kind 12 is `Value`).
struct CompletionItem: Codable, Sendable, Hashable {
    var label: String
    var kind: Int = 12
    var detail: String?
    var sortText: String?
    var filterText: String?
    var textEdit: TextEdit?
    var preselect: Bool?
}

/// LSP `CompletionList`.
struct CompletionList: Codable, Sendable {
    var isIncomplete: Bool
    var items: [CompletionItem]
}

/// LSP `InlayHint`: text drawn at `position` (the end of a requirement).
struct InlayHint: Codable, Sendable, Hashable {
    var position: LSPPosition
    var label: String
    var paddingLeft: Bool?
    var tooltip: String?
}

/// LSP `WorkspaceEdit` with `changes` (URI to edits).
struct WorkspaceEdit: Codable, Sendable, Hashable {
    var changes: [String: [TextEdit]]
}

/// LSP `CodeAction`.
struct CodeAction: Codable, Sendable, Hashable {
    var title: String
    var kind: String
    var diagnostics: [Diagnostic]?
    var isPreferred: Bool?
    var edit: WorkspaceEdit
}

/// LSP `DocumentLink`.
struct DocumentLink: Codable, Sendable, Hashable {
    var range: LSPRange
    var target: String
    var tooltip: String?
}

/// LSP `Command` (an empty `command` makes a code lens a plain label).
struct LSPCommand: Codable, Sendable, Hashable {
    var title: String
    var command: String
    var arguments: [JSONValue]?
}

/// LSP `CodeLens`.
struct CodeLens: Codable, Sendable, Hashable {
    var range: LSPRange
    var command: LSPCommand?
}

/// `window/workDoneProgress/create` (LSP): the server asks the client to create a progress token
/// before sending `$/progress` for background work (diagnostics).
public struct WorkDoneProgressCreateRequest: RequestType {
    public static let method = "window/workDoneProgress/create"
    public typealias Response = VoidResponse

    public var token: RequestID

    public init(token: RequestID) { self.token = token }
}
