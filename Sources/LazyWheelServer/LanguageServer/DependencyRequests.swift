import DependencyDocuments
import Foundation
import JSONRPC
import PackageIndex
import PackagingStandards
import TOML
import WorkScheduling

/// `textDocument/hover` (LSP) on a dependency of a requirements file or pyproject.toml: Markdown
/// describing the project (see ``HoverMarkdown``). A cold hover fetches exactly that project's page
/// and the chosen file's metadata; `$/cancelRequest` aborts the transfer.
struct HoverRequest: ServerMethod {
    static let method = "textDocument/hover"

    var textDocument: TextDocumentIdentifier
    var position: LSPPosition
    var workDoneToken: ProgressToken?

    typealias Response = Hover?

    func answerFromMemory(in session: ServerSession) throws -> Hover?? {
        guard session.languageServer.documents.document(textDocument.uri) != nil else { return nil }
        guard let (document, occurrence) = try locate(in: session) else { return .some(nil) }
        guard !occurrence.name.isEmpty else {
            return .some(hover(occurrence, .failed("no project name could be read"), scope: nil))
        }
        // Building a scope may run python3 or read included files: only a known one is used here.
        guard let scope = session.languageServer.scopes.known(for: document, session: session) else { return nil }
        let specifier = occurrence.requirement?.specifier
        guard let insight = session.languageServer.insights.cached(name: occurrence.name, specifier: specifier, scope: scope) else { return nil }
        return .some(hover(occurrence, insight, scope: scope))
    }

    /// Looks the project up by name, with the line's specifier when the requirement parses (a line
    /// being typed, like `requests==`, still shows the project).
    func answer(in context: RequestContext) throws -> Hover? {
        guard let (document, occurrence) = try locate(in: context.session), !occurrence.name.isEmpty else {
            return try answerFromMemory(in: context.session) ?? nil
        }
        context.progress.begin("Looking up \(occurrence.name)")
        defer { context.progress.end() }
        let scope = try context.session.languageServer.scope(for: document, session: context.session)
        let insight = try context.session.languageServer.insights.insight(
            name: occurrence.name, specifier: occurrence.requirement?.specifier, scope: scope,
            cancellation: context.cancellation)
        return hover(occurrence, insight, scope: scope)
    }

    private func hover(_ occurrence: DependencyOccurrence, _ insight: ProjectInsight, scope: LookupScope?) -> Hover {
        Hover(contents: .markdown(HoverMarkdown.render(occurrence, insight: insight, scope: scope)), range: LSPRange(occurrence.range))
    }

    private func locate(in session: ServerSession) throws -> (OpenDocument, DependencyOccurrence)? {
        guard let document = session.languageServer.documents.document(textDocument.uri, waiting: 2) else {
            throw ResponseError.invalidParams(DocumentSyncError.notOpen(textDocument.uri).description)
        }
        guard let occurrence = document.dependencies?.occurrence(atLine: position.line, utf16Column: position.character) else { return nil }
        return (document, occurrence)
    }
}

/// `textDocument/completion` (LSP): after a version operator (`==`, `>=`, `~=`, … or inside a
/// poetry constraint string) the project's versions, newest first; inside `[…]` its extras
/// (Provides-Extra); on the name, project names (the index's project list and names seen).
struct CompletionRequest: ServerMethod {
    static let method = "textDocument/completion"

    var textDocument: TextDocumentIdentifier
    var position: LSPPosition
    var workDoneToken: ProgressToken?

    typealias Response = CompletionList

    func answer(in context: RequestContext) throws -> CompletionList {
        let session = context.session
        guard let document = session.languageServer.documents.document(textDocument.uri, waiting: 2) else {
            throw ResponseError.invalidParams(DocumentSyncError.notOpen(textDocument.uri).description)
        }
        let empty = CompletionList(isIncomplete: false, items: [])
        guard let occurrence = document.dependencies?.occurrences.first(where: {
            $0.range.start.line <= position.line && position.line <= $0.range.end.line
                && ($0.range.contains(line: position.line, utf16Column: position.character)
                    || $0.constraintRange?.contains(line: position.line, utf16Column: position.character) == true)
        }) else { return empty }
        let line = Array(document.lineText(position.line).utf16)
        let cursor = min(position.character, line.count)
        let scope = try session.languageServer.scope(for: document, session: session)
        if let versionStart = Self.versionStart(in: line, cursor: cursor, occurrence: occurrence) {
            return versions(occurrence, line: line, from: versionStart, to: cursor, scope: scope, context: context)
        }
        if let extrasStart = Self.extraStart(in: line, cursor: cursor) {
            return extras(occurrence, line: line, from: extrasStart, to: cursor, scope: scope, context: context)
        }
        if occurrence.nameRange.start.line == position.line, occurrence.nameRange.start.utf16Column <= cursor,
           cursor <= occurrence.nameRange.end.utf16Column
        {
            return names(occurrence, line: line, to: cursor, scope: scope, context: context)
        }
        return empty
    }

    private func edit(_ start: Int, _ end: Int) -> LSPRange {
        LSPRange(start: LSPPosition(line: position.line, character: start), end: LSPPosition(line: position.line, character: end))
    }

    private func versions(
        _ occurrence: DependencyOccurrence, line: [UInt16], from versionStart: Int, to cursor: Int, scope: LookupScope,
        context: RequestContext
    ) -> CompletionList {
        context.progress.begin("Listing versions of \(occurrence.name)")
        defer { context.progress.end() }
        guard let versions = try? context.session.languageServer.insights.versions(
            name: occurrence.name, scope: scope, cancellation: context.cancellation)
        else { return CompletionList(isIncomplete: false, items: []) }
        let prefix = String(decoding: line[versionStart..<cursor], as: UTF16.self)
        let range = edit(versionStart, cursor)
        let latest = versions.first(where: { !$0.isPrerelease }) ?? versions.first
        let items = versions.enumerated().map { index, version in
            CompletionItem(
                label: version.description,
                detail: version == latest ? "latest" : (version.isPrerelease ? "pre-release" : nil),
                sortText: String(format: "%05d", index), filterText: version.description,
                textEdit: TextEdit(range: range, newText: version.description), preselect: version == latest ? true : nil)
        }.filter { prefix.isEmpty || $0.label.hasPrefix(prefix) }
        return CompletionList(isIncomplete: false, items: items)
    }

    private func extras(
        _ occurrence: DependencyOccurrence, line: [UInt16], from start: Int, to cursor: Int, scope: LookupScope,
        context: RequestContext
    ) -> CompletionList {
        guard case .found(let result)? = try? context.session.languageServer.insights.insight(
            name: occurrence.name, specifier: nil, scope: scope, cancellation: context.cancellation)
        else { return CompletionList(isIncomplete: false, items: []) }
        let prefix = String(decoding: line[start..<cursor], as: UTF16.self).lowercased()
        let range = edit(start, cursor)
        let items = result.metadata.metadata.providesExtra.filter { prefix.isEmpty || $0.lowercased().hasPrefix(prefix) }.map {
            CompletionItem(label: $0, kind: 20, detail: "extra of \(occurrence.name)", filterText: $0, textEdit: TextEdit(range: range, newText: $0))
        }
        return CompletionList(isIncomplete: false, items: items)
    }

    private func names(
        _ occurrence: DependencyOccurrence, line: [UInt16], to cursor: Int, scope: LookupScope, context: RequestContext
    ) -> CompletionList {
        let start = occurrence.nameRange.start.utf16Column
        let prefix = ProjectName.canonical(String(decoding: line[start..<cursor], as: UTF16.self))
        guard !prefix.isEmpty else { return CompletionList(isIncomplete: true, items: []) }
        let names = context.session.languageServer.insights.projectNames(
            scope: scope, session: context.session, cancellation: context.cancellation)
        let range = edit(start, occurrence.nameRange.end.utf16Column)
        let matching = names.filter { $0.hasPrefix(prefix) }.prefix(200)
        let items = matching.map {
            CompletionItem(label: $0, kind: 9, detail: "project", filterText: $0, textEdit: TextEdit(range: range, newText: $0))
        }
        return CompletionList(isIncomplete: matching.count == 200, items: Array(items))
    }

    /// Where the extra being typed starts, when the cursor is inside `name[…` (after `[` or `,`).
    static func extraStart(in line: [UInt16], cursor: Int) -> Int? {
        var start = cursor
        while start > 0 {
            let unit = line[start - 1]
            if unit == UInt16(UInt8(ascii: "[")) || unit == UInt16(UInt8(ascii: ",")) {
                guard line[..<start].contains(UInt16(UInt8(ascii: "["))), !line[..<start].contains(UInt16(UInt8(ascii: "]"))) else { return nil }
                var first = start
                while first < cursor, line[first] == 0x20 { first += 1 }
                return first
            }
            guard let scalar = Unicode.Scalar(unit), scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._- ".unicodeScalars.contains(scalar)
            else { return nil }
            start -= 1
        }
        return nil
    }

    /// Where the version being typed starts (UTF-16 column), when the cursor follows an operator.
    static func versionStart(in line: [UInt16], cursor: Int, occurrence: DependencyOccurrence) -> Int? {
        func isVersionCharacter(_ unit: UInt16) -> Bool {
            guard let scalar = Unicode.Scalar(unit) else { return false }
            return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".*+!_-".unicodeScalars.contains(scalar)
        }
        var start = cursor
        while start > 0, isVersionCharacter(line[start - 1]) { start -= 1 }
        var probe = start
        while probe > 0, line[probe - 1] == 0x20 || line[probe - 1] == 0x09 { probe -= 1 }
        let operators = "=<>!~^".utf16
        if probe > 0, operators.contains(line[probe - 1]) { return start }
        // A poetry constraint string with a bare version: `name = "1.2"`.
        if case .poetry = occurrence.section, let constraint = occurrence.constraintRange,
           constraint.contains(line: occurrence.constraintRange!.start.line, utf16Column: start), start == constraint.start.utf16Column {
            return start
        }
        return nil
    }
}

/// `textDocument/codeLens` (LSP): above each dependency, the latest version on the index (and
/// whether the line's specifier admits it); clicking it runs `lazywheel.updateToLatest`, which
/// rewrites the line's constraint keeping its operator. Reads only project pages, never metadata.
struct CodeLensRequest: ServerMethod {
    static let method = "textDocument/codeLens"

    var textDocument: TextDocumentIdentifier
    var workDoneToken: ProgressToken?

    typealias Response = [CodeLens]

    func answer(in context: RequestContext) throws -> [CodeLens] {
        let session = context.session
        guard let document = session.languageServer.documents.document(textDocument.uri, waiting: 2) else {
            throw ResponseError.invalidParams(DocumentSyncError.notOpen(textDocument.uri).description)
        }
        let occurrences = (document.dependencies?.occurrences ?? []).filter { $0.requirement != nil && $0.requirement?.url == nil }
        let scope = try session.languageServer.scope(for: document, session: session)
        guard (try? scope.projectIndex()) != nil, !occurrences.isEmpty else { return [] }
        context.progress.begin("Latest versions")
        defer { context.progress.end() }
        let results = WorkerPoolResults<CodeLens?>(count: occurrences.count)
        let group = DispatchGroup()
        for (index, occurrence) in occurrences.enumerated() {
            group.enter()
            session.languageServer.diagnosticsPool.submit(priority: .interactive) {
                defer { group.leave() }
                guard let versions = try? session.languageServer.insights.versions(
                    name: occurrence.name, scope: scope, cancellation: context.cancellation),
                    let latest = versions.first(where: { !$0.isPrerelease }) ?? versions.first
                else { return }
                var title = "latest \(latest)"
                if let specifier = occurrence.requirement?.specifier, !specifier.isEmpty, !specifier.contains(latest, prereleases: true) {
                    title += " (not allowed by \(specifier))"
                }
                let command = VersionEdits.update(occurrence, to: latest, in: document).map { edit in
                    LSPCommand(
                        title: title + " — update", command: LanguageServerCommand.updateToLatest.rawValue,
                        arguments: [.string(textDocument.uri), (try? JSONValue(encoding: edit)) ?? .null])
                } ?? LSPCommand(title: title, command: LanguageServerCommand.showVersions.rawValue, arguments: [.string(occurrence.name)])
                results.set(index, CodeLens(range: LSPRange(occurrence.nameRange), command: command))
            }
        }
        WorkerPool.blocking { group.wait() }
        try context.cancellation.throwIfCancelled()
        return results.values.compactMap { $0 }
    }
}

/// Results of parallel jobs, by index.
private final class WorkerPoolResults<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Value?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.withLock { storage[index] = value }
    }

    var values: [Value] { lock.withLock { storage.compactMap { $0 } } }
}
