import DependencyDocuments
import Foundation
import JSONRPC
import PackageIndex
import PackagingStandards
import WorkScheduling

/// The open document at `uri`, waiting briefly for its `didOpen`.
private func openDocument(_ uri: String, in session: ServerSession) throws -> OpenDocument {
    guard let document = session.languageServer.documents.document(uri, waiting: 2) else {
        throw ResponseError.invalidParams(DocumentSyncError.notOpen(uri).description)
    }
    return document
}

/// Looks up every occurrence on the diagnostics pool, in parallel, and waits for all.
private func lookUpAll(
    _ occurrences: [DependencyOccurrence], scope: LookupScope, session: ServerSession, cancellation: CancellationToken
) -> [Int: ProjectInsight] {
    let found = Locked<[Int: ProjectInsight]>([:])
    let group = DispatchGroup()
    for (index, occurrence) in occurrences.enumerated() {
        group.enter()
        session.languageServer.diagnosticsPool.submit(priority: .interactive) {
            defer { group.leave() }
            if let insight = try? session.languageServer.insights.insight(
                name: occurrence.name, specifier: occurrence.requirement?.specifier, scope: scope, cancellation: cancellation)
            {
                found.withLock { $0[index] = insight }
            }
        }
    }
    WorkerPool.blocking { group.wait() }
    return found.withLock { $0 }
}

/// The dependencies that name a project on the index (not direct references).
private func projectOccurrences(_ document: OpenDocument) -> [DependencyOccurrence] {
    (document.dependencies?.occurrences ?? []).filter { !$0.name.isEmpty && $0.requirement?.url == nil }
}

/// The document's project dependencies on the lines of `range`, each with what the index says of
/// it (nil when the lookup failed); nil when the document has no index.
private func dependencies(
    in range: LSPRange, of uri: String, context: RequestContext
) throws -> (document: OpenDocument, scope: LookupScope, found: [(DependencyOccurrence, ProjectInsight?)])? {
    let session = context.session
    let document = try openDocument(uri, in: session)
    let scope = try session.languageServer.scope(for: document, session: session)
    guard case .success = scope.index else { return nil }
    let occurrences = projectOccurrences(document).filter {
        $0.range.end.line >= range.start.line && $0.range.start.line <= range.end.line
    }
    let found = lookUpAll(occurrences, scope: scope, session: session, cancellation: context.cancellation)
    try context.cancellation.throwIfCancelled()
    return (document, scope, occurrences.enumerated().map { ($1, found[$0]) })
}

/// `textDocument/inlayHint` (LSP 3.17): at the end of each dependency, the version its
/// constraint resolves to for the document's target and the latest version, as crates.nvim and
/// Dependi show them (`✓ 3.10` when they agree, `2.31.0 · latest 2.32.3` when not).
struct InlayHintRequest: ServerMethod {
    static let method = "textDocument/inlayHint"

    var textDocument: TextDocumentIdentifier
    var range: LSPRange
    var workDoneToken: ProgressToken?

    typealias Response = [InlayHint]

    func answer(in context: RequestContext) throws -> [InlayHint] {
        guard let (_, _, found) = try dependencies(in: range, of: textDocument.uri, context: context) else { return [] }
        return found.compactMap { occurrence, insight in
            guard let insight, let label = Self.label(insight) else { return nil }
            return InlayHint(position: LSPPosition(occurrence.range.end), label: label, paddingLeft: true, tooltip: nil)
        }
    }

    static func label(_ insight: ProjectInsight) -> String? {
        switch insight {
        case .found(let result):
            guard let latest = result.latestVersion, latest != result.version else { return "✓ \(result.version)" }
            return "\(result.version) · latest \(latest)"
        case .noMatchingVersion(_, let available):
            return "✗ no match" + (available.first.map { " · latest \($0)" } ?? "")
        case .unknownProject:
            return "✗ unknown project"
        case .notConfigured, .failed:
            return nil
        }
    }
}

/// `textDocument/codeAction` (LSP): on a dependency, "Update to latest X" keeping the operator
/// style, "Pin to X" (the version the constraint resolves to), and for an unknown project
/// "Replace with 'name'" for each close name.
struct CodeActionRequest: ServerMethod {
    static let method = "textDocument/codeAction"

    struct Context: Codable, Sendable {
        var diagnostics: [Diagnostic]?
    }

    var textDocument: TextDocumentIdentifier
    var range: LSPRange
    var context: Context?
    var workDoneToken: ProgressToken?

    typealias Response = [CodeAction]

    func answer(in context: RequestContext) throws -> [CodeAction] {
        let session = context.session
        guard let (document, scope, found) = try dependencies(in: range, of: textDocument.uri, context: context) else { return [] }
        var actions: [CodeAction] = []
        func action(_ title: String, kind: String, _ edit: TextEdit, preferred: Bool = false) -> CodeAction {
            CodeAction(title: title, kind: kind, diagnostics: nil, isPreferred: preferred ? true : nil,
                       edit: WorkspaceEdit(changes: [textDocument.uri: [edit]]))
        }
        for (occurrence, insight) in found {
            switch insight {
            case .found(let result)?:
                if let latest = result.latestVersion, let edit = VersionEdits.update(occurrence, to: latest, in: document) {
                    actions.append(action("Update \(occurrence.name) to \(latest) (\(edit.newText))", kind: "refactor.rewrite", edit))
                }
                if !(occurrence.requirement?.specifier.description ?? "").hasPrefix("==\(result.version)") || occurrence.requirement == nil,
                   let edit = VersionEdits.pin(occurrence, to: result.version, in: document) {
                    actions.append(action("Pin \(occurrence.name) to \(result.version)", kind: "refactor.rewrite", edit))
                }
            case .noMatchingVersion(_, let available)?:
                if let newest = available.first.flatMap({ try? Version($0) }),
                   let edit = VersionEdits.update(occurrence, to: newest, in: document) ?? VersionEdits.pin(occurrence, to: newest, in: document) {
                    actions.append(action("Change \(occurrence.name) to \(edit.newText)", kind: "quickfix", edit, preferred: true))
                }
            case .unknownProject?:
                let suggestions = session.languageServer.insights.suggestions(
                    for: occurrence.name, scope: scope, session: session, cancellation: context.cancellation)
                for (rank, name) in suggestions.enumerated() {
                    actions.append(action(
                        "Replace with '\(name)'", kind: "quickfix", TextEdit(range: LSPRange(occurrence.nameRange), newText: name),
                        preferred: rank == 0))
                }
            default:
                break
            }
        }
        return actions
    }
}

/// `textDocument/documentLink` (LSP): each dependency's name links to its homepage (Project-URL
/// `Homepage`, else `Home-page`, else its first Project-URL) when its metadata is known, else to
/// its page on the index.
struct DocumentLinkRequest: ServerMethod {
    static let method = "textDocument/documentLink"

    var textDocument: TextDocumentIdentifier
    var workDoneToken: ProgressToken?

    typealias Response = [DocumentLink]

    func answer(in context: RequestContext) throws -> [DocumentLink] {
        let session = context.session
        let document = try openDocument(textDocument.uri, in: session)
        let scope = try session.languageServer.scope(for: document, session: session)
        guard case .success(let index) = scope.index else { return [] }
        return projectOccurrences(document).compactMap { occurrence in
            let insight = session.languageServer.insights.cached(name: occurrence.name, specifier: occurrence.requirement?.specifier, scope: scope)
            if case .found(let result)? = insight, let home = Self.homepage(result.metadata.metadata) {
                return DocumentLink(range: LSPRange(occurrence.nameRange), target: home, tooltip: "\(occurrence.name) homepage")
            }
            guard let root = index.configuration.primaryIndex, !root.isLocal else { return nil }
            let page = root.projectURL(canonicalName: ProjectName.canonical(occurrence.name)).absoluteString
            return DocumentLink(range: LSPRange(occurrence.nameRange), target: page, tooltip: "\(occurrence.name) on the index")
        }
    }

    static func homepage(_ metadata: CoreMetadata) -> String? {
        let urls = metadata.projectURLs
        if let home = urls.first(where: { ["homepage", "home", "home-page"].contains($0.label.lowercased()) }) { return home.url }
        if let home = metadata.homePage, home.hasPrefix("http") { return home }
        return urls.first?.url
    }
}

/// The commands the server runs for `workspace/executeCommand` (code lenses use them).
enum LanguageServerCommand: String, CaseIterable, Sendable {
    /// Arguments: the document URI and a `TextEdit`; the server asks the client to apply it
    /// (`workspace/applyEdit`).
    case updateToLatest = "lazywheel.updateToLatest"
    /// Arguments: a project name; the server shows its versions (`window/showMessage`).
    case showVersions = "lazywheel.showVersions"
}

/// `workspace/executeCommand` (LSP).
struct ExecuteCommandRequest: ServerMethod {
    static let method = "workspace/executeCommand"

    var command: String
    var arguments: [JSONValue]?
    var workDoneToken: ProgressToken?

    typealias Response = JSONValue

    func answer(in context: RequestContext) throws -> JSONValue {
        let session = context.session
        let arguments = arguments ?? []
        switch LanguageServerCommand(rawValue: command) {
        case .updateToLatest:
            guard arguments.count == 2, case .string(let uri) = arguments[0], let edit = try? arguments[1].decode(TextEdit.self) else {
                throw ResponseError.invalidParams("\(command) takes a document URI and a TextEdit")
            }
            let params = ApplyWorkspaceEditRequest(label: "Update to the latest version", edit: WorkspaceEdit(changes: [uri: [edit]]))
            session.languageServer.clientRequests.applyEdit(params)
            return .null
        case .showVersions:
            guard case .string(let name)? = arguments.first else {
                throw ResponseError.invalidParams("\(command) takes a project name")
            }
            let scopeDocument = session.languageServer.documents.all().first
            guard let document = scopeDocument else { return .null }
            let scope = try session.languageServer.scope(for: document, session: session)
            let versions = try session.languageServer.insights.versions(name: name, scope: scope, cancellation: context.cancellation)
            let text = "\(name): " + versions.prefix(12).map(\.description).joined(separator: ", ") + (versions.count > 12 ? ", …" : "")
            session.notify(NotificationMessage(method: "window/showMessage", params: ["type": 3, "message": .string(text)]))
            return .array(versions.map { .string($0.description) })
        case nil:
            throw ResponseError.invalidParams("unknown command \(command); the server runs \(LanguageServerCommand.allCases.map(\.rawValue))")
        }
    }
}

/// `lazywheel/dependency`: the dependency at a position as the server parsed it (name,
/// specifier, extras, marker, section), so editor commands never parse requirement lines themselves.
struct DependencyAtRequest: ServerMethod {
    static let method = "lazywheel/dependency"

    var textDocument: TextDocumentIdentifier
    var position: LSPPosition
    var workDoneToken: ProgressToken?

    typealias Response = Dependency?

    struct Dependency: Codable, Sendable {
        var name: String
        /// The PEP 440 specifier (poetry constraints converted), empty for any version.
        var specifier: String
        var extras: [String]
        var marker: String?
        /// Where it is written: "requirements file", "[project] dependencies", …
        var section: String
        /// The PEP 508 text, when the requirement parses.
        var requirement: String?
        var range: LSPRange
    }

    func answerFromMemory(in session: ServerSession) throws -> Dependency?? {
        guard let document = session.languageServer.documents.document(textDocument.uri, waiting: 2) else {
            throw ResponseError.invalidParams(DocumentSyncError.notOpen(textDocument.uri).description)
        }
        let occurrences = document.dependencies?.occurrences ?? []
        let occurrence = occurrences.first { $0.range.contains(line: position.line, utf16Column: position.character) }
            ?? occurrences.first { $0.range.start.line <= position.line && position.line <= $0.range.end.line }
        guard let occurrence, !occurrence.name.isEmpty else { return .some(nil) }
        let requirement = occurrence.requirement
        return .some(Dependency(
            name: occurrence.name, specifier: requirement?.specifier.description ?? "",
            extras: requirement?.extras ?? [], marker: requirement?.marker.map { "\($0)" },
            section: occurrence.section.description, requirement: requirement?.description, range: LSPRange(occurrence.range)))
    }

    func answer(in context: RequestContext) throws -> Dependency? {
        try answerFromMemory(in: context.session).flatMap { $0 }
    }
}
