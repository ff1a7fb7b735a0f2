import DependencyDocuments
import Foundation
import JSONRPC
import TOML
import WorkScheduling

/// `textDocument/didOpen` (LSP): the client opened a document; its text is now authoritative.
struct DidOpenTextDocumentNotification: NotificationType {
    static let method = "textDocument/didOpen"

    struct TextDocumentItem: Codable, Sendable {
        var uri: String
        var languageId: String?
        var version: Int
        var text: String
    }

    var textDocument: TextDocumentItem
}

/// `textDocument/didChange` (LSP) with full (`TextDocumentSyncKind.Full`) or incremental changes.
struct DidChangeTextDocumentNotification: NotificationType {
    static let method = "textDocument/didChange"

    struct VersionedTextDocumentIdentifier: Codable, Sendable {
        var uri: String
        var version: Int?
    }

    /// A whole new text (no `range`) or the replacement of `range`.
    struct ContentChange: Codable, Sendable {
        var range: LSPRange?
        var text: String
    }

    var textDocument: VersionedTextDocumentIdentifier
    var contentChanges: [ContentChange]
}

/// `textDocument/didClose` (LSP).
struct DidCloseTextDocumentNotification: NotificationType {
    static let method = "textDocument/didClose"
    var textDocument: TextDocumentIdentifier
}

/// `textDocument/didSave` (LSP): nothing to do, accepted so clients may send it.
struct DidSaveTextDocumentNotification: NotificationType {
    static let method = "textDocument/didSave"
    var textDocument: TextDocumentIdentifier
}

/// A dependency document open in the editor: its text, version and parsed dependencies.
struct OpenDocument: Sendable {
    var uri: String
    var version: Int?
    var text: String
    /// The parsed dependencies; nil when the file name is not a dependency document.
    var dependencies: DependencyDocument?
    /// The lines the last `didChange` touched (nil after `didOpen`): where the user is typing.
    var editedLines: Set<Int>?

    init(uri: String, version: Int?, text: String, editedLines: Set<Int>? = nil) {
        self.uri = uri
        self.version = version
        self.text = text
        self.editedLines = editedLines
        self.dependencies = DependencyDocument(fileName: Self.path(of: uri), text: text, environment: ProcessEnvironment.variables)
    }

    /// The path of a `file://` URI (or the URI itself), for recognizing dependency documents by
    /// file name and directory.
    static func path(of uri: String) -> String {
        let path = URL(string: uri)?.path ?? uri
        return path.isEmpty ? uri : path
    }

    /// The last path component of a `file://` URI (or of any URI or path).
    static func fileName(of uri: String) -> String {
        path(of: uri).split(separator: "/").last.map(String.init) ?? uri
    }

    /// The text of line `line` (without its line break).
    func lineText(_ line: Int) -> String {
        var current = 0
        for text in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == line { return String(text.hasSuffix("\r") ? text.dropLast() : text) }
            current += 1
        }
        return ""
    }
}

/// Why an edit could not be applied.
enum DocumentSyncError: Error, CustomStringConvertible {
    case notOpen(String)

    var description: String {
        switch self {
        case .notOpen(let uri): "\(uri) is not open: send textDocument/didOpen before changes and requests"
        }
    }
}

/// The documents the client has open (LSP "Text Document Synchronization").
///
/// The connection delivers notifications in order but runs requests concurrently with them, so a
/// request may arrive just before the `didOpen` the client sent first: ``document(_:waiting:)``
/// waits briefly for it.
final class OpenDocuments: @unchecked Sendable {
    // Guarded by `condition`.
    private var documents: [String: OpenDocument] = [:]
    private let condition = NSCondition()

    func open(uri: String, version: Int?, text: String, editedLines: Set<Int>? = nil) -> OpenDocument {
        let document = OpenDocument(uri: uri, version: version, text: text, editedLines: editedLines)
        condition.withLock {
            documents[uri] = document
            condition.broadcast()
        }
        return document
    }

    /// Applies full or incremental changes in order.
    func change(uri: String, version: Int?, changes: [DidChangeTextDocumentNotification.ContentChange]) throws -> OpenDocument {
        guard let before = document(uri)?.text else { throw DocumentSyncError.notOpen(uri) }
        var text = before
        for change in changes {
            text = Self.apply(change, to: text)
        }
        return open(uri: uri, version: version, text: text, editedLines: Self.changedLines(before, text))
    }

    /// Every open document.
    func all() -> [OpenDocument] {
        condition.withLock { Array(documents.values) }
    }

    /// The lines of `after` that differ from `before` (between their common first and last lines).
    static func changedLines(_ before: String, _ after: String) -> Set<Int> {
        let old = before.split(separator: "\n", omittingEmptySubsequences: false)
        let new = after.split(separator: "\n", omittingEmptySubsequences: false)
        var start = 0
        while start < old.count, start < new.count, old[start] == new[start] { start += 1 }
        var oldEnd = old.count, newEnd = new.count
        while oldEnd > start, newEnd > start, old[oldEnd - 1] == new[newEnd - 1] {
            oldEnd -= 1
            newEnd -= 1
        }
        return Set(start..<max(start, newEnd))
    }

    func close(uri: String) {
        condition.withLock { _ = documents.removeValue(forKey: uri) }
    }

    /// The open document at `uri`, waiting up to `seconds` for its `didOpen`.
    func document(_ uri: String, waiting seconds: TimeInterval = 0) -> OpenDocument? {
        let deadline = Date(timeIntervalSinceNow: seconds)
        return condition.withLock {
            WorkerPool.blocking {
                while documents[uri] == nil, condition.wait(until: deadline) {}
            }
            return documents[uri]
        }
    }

    /// The text after one change: a full replacement, or `range` (UTF-16 positions) replaced.
    static func apply(_ change: DidChangeTextDocumentNotification.ContentChange, to text: String) -> String {
        guard let range = change.range else { return change.text }
        let bytes = Array(text.utf8)
        let locator = SourceLocator(bytes: bytes)
        let start = locator.byteOffset(line: range.start.line, utf16Column: range.start.character)
        let end = max(start, locator.byteOffset(line: range.end.line, utf16Column: range.end.character))
        return String(decoding: bytes[..<start] + Array(change.text.utf8) + bytes[end...], as: UTF8.self)
    }
}
