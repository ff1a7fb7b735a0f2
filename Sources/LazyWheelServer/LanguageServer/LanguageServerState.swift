import DependencyDocuments
import Dispatch
import Foundation
import JSONRPC
import PackageIndex
import PackagingStandards
import WorkScheduling

/// The editor side of a session (`lazywheel serve` as a language server for requirements files
/// and pyproject.toml): open documents, each document's index and target (``LookupScopes``),
/// memoized project lookups, and diagnostics computed in the background at once after an open
/// and debounced after a change, published with `textDocument/publishDiagnostics`.
///
/// Background lookups run on their own pool so a hover never queues behind them.
final class LanguageServerState: Sendable {
    let documents = OpenDocuments()
    let insights = ProjectInsights()
    let scopes = LookupScopes()
    /// `workspace/configuration` and `workspace/applyEdit` to the client.
    let clientRequests = ClientRequests()
    /// Signalled when the client's answer to `workspace/configuration` was applied; nil when none is awaited.
    let configurationArrival = Locked<DispatchSemaphore?>(nil)
    /// Whether the user was told that no index is configured (once per session).
    private let toldNoIndex = Locked(false)
    /// The index descriptions already announced to the user.
    private let announcedIndexes = Locked<Set<String>>([])
    /// How long the user must pause before a line being typed (`flask==`) gets a syntax error.
    let typingPause: DispatchTimeInterval
    /// Where diagnostics, hints and lenses look projects up: wide, since each lookup mostly waits
    /// on the network and a 40-line file should take a few round trips, not ten.
    let diagnosticsPool = WorkerPool(label: "lazywheel.diagnostics", width: 32)
    /// Delay after the last change before diagnostics are computed (none after an open).
    let debounce: DispatchTimeInterval
    private let timers = DispatchQueue(label: "lazywheel.diagnostics.debounce")
    /// The pending or running diagnostics of each document, cancelled by the next change.
    private let pending = Locked<[String: CancellationToken]>([:])
    private let progressCounter = Locked(0)
    /// Sends `window/workDoneProgress/create` for a token and reports whether the client accepted
    /// it; nil until the owner of the connection provides it with ``sendProgressCreation(with:)``.
    private let progressCreator = Locked<(@Sendable (ProgressToken, @escaping @Sendable (Bool) -> Void) -> Void)?>(nil)
    /// Whether the client said `window.workDoneProgress: true` in `initialize`.
    private let clientSupportsProgress = Locked(false)

    init(debounce: DispatchTimeInterval = .milliseconds(250), typingPause: DispatchTimeInterval = .milliseconds(1500)) {
        self.debounce = debounce
        self.typingPause = typingPause
    }

    /// The lookup scope of an open document (its index and target).
    func scope(for document: OpenDocument, session: ServerSession) throws -> LookupScope {
        waitForConfiguration()
        return try scopes.scope(for: document, session: session)
    }

    /// Forgets indexes, targets and answers after the editor's settings changed, and checks the
    /// open documents again.
    func settingsChanged(session: ServerSession) {
        scopes.reset()
        insights.reset()
        toldNoIndex.withLock { $0 = false }
        announcedIndexes.withLock { $0.removeAll() }
        for document in documents.all() { scheduleDiagnostics(for: document, session: session) }
    }

    // MARK: Client capabilities and requests to the client

    /// Records what the client supports (from `initialize`'s `capabilities`).
    func configure(clientCapabilities: JSONValue?) {
        clientSupportsProgress.withLock { $0 = clientCapabilities?["window"]?["workDoneProgress"]?.boolValue == true }
        clientRequests.configure(clientCapabilities: clientCapabilities)
    }

    /// Lets diagnostics create server-initiated progress tokens: `create` sends
    /// ``WorkDoneProgressCreateRequest`` to the client and calls back with whether it succeeded.
    func sendProgressCreation(with create: @escaping @Sendable (ProgressToken, @escaping @Sendable (Bool) -> Void) -> Void) {
        progressCreator.withLock { $0 = create }
    }

    /// A progress reporter for background work: a token created with
    /// `window/workDoneProgress/create` when the client supports it, else one that sends nothing.
    private func backgroundProgress(session: ServerSession) -> ProgressReporter {
        let silent = ProgressReporter(token: nil, send: session.notify)
        guard clientSupportsProgress.withLock({ $0 }), let create = progressCreator.withLock({ $0 }) else { return silent }
        let token = ProgressToken.string("lazywheel-diagnostics-\(nextProgressNumber())")
        let accepted = Locked<Bool?>(nil)
        let answered = DispatchSemaphore(value: 0)
        create(token) { ok in
            accepted.withLock { $0 = ok }
            answered.signal()
        }
        // The client answers at once; do not hold diagnostics hostage to a slow one.
        guard WorkerPool.blocking({ answered.wait(timeout: .now() + 2) }) == .success, accepted.withLock({ $0 }) == true else { return silent }
        return ProgressReporter(token: token, send: session.notify)
    }

    // MARK: Synchronization notifications

    func handle(_ notification: any NotificationType, session: ServerSession) {
        switch notification {
        case let open as DidOpenTextDocumentNotification:
            let item = open.textDocument
            let document = documents.open(uri: item.uri, version: item.version, text: item.text)
            scheduleDiagnostics(for: document, session: session)
        case let change as DidChangeTextDocumentNotification:
            do {
                let document = try documents.change(
                    uri: change.textDocument.uri, version: change.textDocument.version, changes: change.contentChanges)
                scheduleDiagnostics(for: document, session: session, typing: true)
            } catch {
                session.log(.warning, "\(error)")
            }
        case is InitializedNotification:
            pullConfiguration(session: session)
        case let change as DidChangeConfigurationNotification:
            if let settings = change.settings, ServerOptions.fromSettings(settings) != nil, settings.objectValue?.isEmpty == false {
                apply(settings: settings, session: session)
            } else {
                pullConfiguration(session: session)
            }
        case let close as DidCloseTextDocumentNotification:
            documents.close(uri: close.textDocument.uri)
            pending.withLock { $0.removeValue(forKey: close.textDocument.uri) }?.cancel()
            publish(PublishDiagnosticsParams(uri: close.textDocument.uri, version: nil, diagnostics: []), session: session)
        default:
            break
        }
    }

    // MARK: Diagnostics

    /// Schedules diagnostics (after the debounce for an edit); after an edit (`typing`), an incomplete line
    /// where the user is typing (`flask==`) gets its syntax error only once they pause.
    private func scheduleDiagnostics(for document: OpenDocument, session: ServerSession, typing: Bool = false) {
        guard document.dependencies != nil else { return }
        let token = CancellationToken()
        pending.withLock { $0.updateValue(token, forKey: document.uri) }?.cancel()
        // An opened document is checked at once; edits wait for the typing to settle.
        timers.asyncAfter(deadline: .now() + (typing ? debounce : .milliseconds(0))) { [self] in
            guard !token.isCancelled else { return }
            // Waits for its lookups, which run on `diagnosticsPool`: not on that pool itself.
            DispatchQueue.global(qos: .utility).async { [self] in
                let held = computeAndPublish(document, session: session, cancellation: token, holdingTypedLines: typing)
                guard held else { return }
                timers.asyncAfter(deadline: .now() + typingPause) { [self] in
                    guard !token.isCancelled else { return }
                    DispatchQueue.global(qos: .utility).async { [self] in
                        _ = computeAndPublish(document, session: session, cancellation: token, holdingTypedLines: false)
                    }
                }
            }
        }
    }

    /// Publishes the document's diagnostics; returns whether a syntax error on a line being
    /// typed was held back.
    @discardableResult
    private func computeAndPublish(
        _ document: OpenDocument, session: ServerSession, cancellation: CancellationToken, holdingTypedLines: Bool
    ) -> Bool {
        guard let dependencies = document.dependencies, !cancellation.isCancelled else { return false }
        // Syntax problems first, at once, so they show without waiting for the index.
        var syntax = Self.syntaxDiagnostics(dependencies)
        var held = false
        if holdingTypedLines, let edited = document.editedLines {
            let before = syntax.count
            syntax.removeAll { $0.code == "invalid-requirement" && edited.contains($0.range.start.line) }
            held = syntax.count != before
        }
        let scope: LookupScope
        do {
            scope = try self.scope(for: document, session: session)
        } catch {
            session.log(.warning, "no target for \(document.uri): \(error)")
            publish(PublishDiagnosticsParams(uri: document.uri, version: document.version, diagnostics: syntax), session: session)
            return held
        }
        if case .failure(let unavailable) = scope.index {
            syntax.insert(noIndexDiagnostic(unavailable, session: session), at: 0)
        } else {
            announce(scope, session: session)
        }
        publish(PublishDiagnosticsParams(uri: document.uri, version: document.version, diagnostics: syntax), session: session)
        let projects = dependencies.occurrences.filter { $0.requirement != nil && $0.requirement?.url == nil }
        guard !projects.isEmpty, case .success = scope.index else { return held }
        let uncached = projects.contains { occurrence in
            insights.cached(name: occurrence.name, specifier: occurrence.requirement?.specifier, scope: scope) == nil
        }
        let progress = uncached ? backgroundProgress(session: session) : ProgressReporter(token: nil, send: session.notify)
        progress.begin("Checking dependencies", message: OpenDocument.fileName(of: document.uri), cancellable: false)
        let lookups = Locked<[Int: ProjectInsight]>([:])
        let group = DispatchGroup()
        let done = Locked(0)
        for (index, occurrence) in projects.enumerated() {
            group.enter()
            diagnosticsPool.submit(priority: .speculative) { [self] in
                defer { group.leave() }
                guard !cancellation.isCancelled, let requirement = occurrence.requirement else { return }
                if let insight = try? insights.insight(
                    name: requirement.name, specifier: requirement.specifier, scope: scope, cancellation: cancellation)
                {
                    lookups.withLock { $0[index] = insight }
                }
                let count = done.withLock { value -> Int in
                    value += 1
                    return value
                }
                progress.report("\(count)/\(projects.count) \(requirement.name)", percentage: count * 100 / projects.count)
            }
        }
        WorkerPool.blocking { group.wait() }
        progress.end()
        guard !cancellation.isCancelled else { return held }
        let found = lookups.withLock { $0 }
        var diagnostics = syntax
        for (index, occurrence) in projects.enumerated() {
            guard let insight = found[index] else { continue }
            var suggestions: [String] = []
            if case .unknownProject = insight {
                suggestions = insights.suggestions(for: occurrence.name, scope: scope, session: session, cancellation: cancellation)
            }
            diagnostics += Self.projectDiagnostics(occurrence, insight: insight, suggestions: suggestions)
        }
        publish(PublishDiagnosticsParams(uri: document.uri, version: document.version, diagnostics: diagnostics), session: session)
        // Then whether the set resolves, when every dependency on its own is fine.
        guard !diagnostics.contains(where: { $0.severity == .error }), found.count == projects.count,
              let conflict = ResolutionDiagnostics.conflict(
                in: document, scope: scope, session: session, cancellation: cancellation),
              !cancellation.isCancelled else { return held }
        publish(PublishDiagnosticsParams(
            uri: document.uri, version: document.version, diagnostics: diagnostics + [conflict]), session: session)
        return held
    }

    /// Says once per index which one is in use and where that setting came from: a message when
    /// it is the user's pip's (nothing configured it for lazywheel), a log line otherwise.
    private func announce(_ scope: LookupScope, session: ServerSession) {
        guard let description = scope.indexDescription,
              announcedIndexes.withLock({ $0.insert(description).inserted }) else { return }
        let fromPip = scope.indexDescription?.contains("(from pip") == true
        let message = "lazywheel: using the index \(description)"
        session.notify(NotificationMessage(
            method: fromPip ? "window/showMessage" : "window/logMessage", params: ["type": 3, "message": .string(message)]))
    }

    /// The "no index" diagnostic on the first line; the first time in a session the user is also
    /// told with `window/showMessage`.
    private func noIndexDiagnostic(_ unavailable: IndexUnavailable, session: ServerSession) -> Diagnostic {
        session.log(.info, "no index: \(unavailable.description)")
        let message = "lazywheel: no package index is configured: set indexUrl in the editor's settings, "
            + "--index-url in this file, or PIP_INDEX_URL, pip.conf or uv.toml (hover a dependency for details)"
        let first = toldNoIndex.withLock { told -> Bool in
            defer { told = true }
            return !told
        }
        if first {
            session.notify(NotificationMessage(method: "window/showMessage", params: ["type": 2, "message": .string(message)]))
        }
        let start = LSPPosition(line: 0, character: 0)
        return Diagnostic(range: LSPRange(start: start, end: start), severity: .warning, code: "no-index", message: message)
    }

    private func nextProgressNumber() -> Int {
        progressCounter.withLock { value in
            value += 1
            return value
        }
    }

    private func publish(_ params: PublishDiagnosticsParams, session: ServerSession) {
        guard let json = try? JSONValue(encoding: params) else { return }
        session.notify(NotificationMessage(method: "textDocument/publishDiagnostics", params: json))
    }

    static func syntaxDiagnostics(_ document: DependencyDocument) -> [Diagnostic] {
        var diagnostics = document.problems.map {
            Diagnostic(range: LSPRange($0.range), severity: .error, code: "document", message: $0.message)
        }
        for occurrence in document.occurrences {
            if let error = occurrence.parseError {
                diagnostics.append(Diagnostic(
                    range: LSPRange(occurrence.range), severity: .error, code: "invalid-requirement",
                    message: "invalid requirement '\(occurrence.text)': \(error)"))
            }
        }
        return diagnostics
    }

    static func projectDiagnostics(_ occurrence: DependencyOccurrence, insight: ProjectInsight, suggestions: [String] = []) -> [Diagnostic] {
        let nameRange = LSPRange(occurrence.nameRange)
        let range = LSPRange(occurrence.range)
        switch insight {
        case .unknownProject:
            var message = "unknown project '\(occurrence.name)': no configured index lists it"
            if !suggestions.isEmpty { message += "; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: ", ") + "?" }
            return [Diagnostic(
                range: nameRange, severity: .error, code: "unknown-project", message: message,
                data: suggestions.isEmpty ? nil : ["suggestions": .array(suggestions.map(JSONValue.string))])]
        case .noMatchingVersion(let error, _):
            return [Diagnostic(range: range, severity: .error, code: "no-matching-version", message: noMatchMessage(occurrence, error: error))]
        case .found(let result):
            var diagnostics: [Diagnostic] = []
            if case .yanked(let reason) = result.yanked {
                diagnostics.append(Diagnostic(
                    range: range, severity: .warning, code: "yanked",
                    message: "\(occurrence.name) \(result.version) is yanked" + (reason.map { ": \($0)" } ?? "")))
            }
            if !result.hasCompatibleWheel {
                diagnostics.append(Diagnostic(
                    range: range, severity: .warning, code: "no-wheel",
                    message: "no wheel of \(occurrence.name) \(result.version) is installable on the target; it would be built from \(result.file.filename)"))
            }
            return diagnostics
        case .notConfigured, .failed:
            return []
        }
    }
}

extension LanguageServerState {
    /// "no version of requests matches ==99; the newest are 2.32.3, 2.32.2, 2.32.1" when no
    /// version matches the specifier at all; the Python message when some match but none supports
    /// the target.
    static func noMatchMessage(_ occurrence: DependencyOccurrence, error: ProjectLookupError) -> String {
        guard case .noMatchingVersion(let name, let specifier, _, let available) = error else { return error.description }
        let set = try? SpecifierSet(specifier)
        let anyMatches = set.map { set in available.contains { set.contains($0, prereleases: true) } } ?? true
        guard !anyMatches else { return error.description }
        let newest = available.prefix(3).joined(separator: ", ")
        return "no version of \(name) matches \(specifier)" + (newest.isEmpty ? "" : "; the newest \(available.count == 1 ? "is" : "are") \(newest)")
    }

    /// The LSP `ServerCapabilities` of the language server mode, merged into `initialize`'s result.
    static let capabilities: [String: JSONValue] = [
        // Open/close notifications, incremental changes (TextDocumentSyncKind.Incremental = 2).
        "textDocumentSync": ["openClose": true, "change": 2, "save": false],
        "hoverProvider": true,
        "completionProvider": [
            "triggerCharacters": ["=", ">", "<", "~", "^", ".", " ", "!", "[", ","], "resolveProvider": false,
        ],
        "codeLensProvider": ["resolveProvider": false],
        "inlayHintProvider": true,
        "codeActionProvider": ["codeActionKinds": ["quickfix", "refactor.rewrite"]],
        "documentLinkProvider": ["resolveProvider": false],
        "executeCommandProvider": ["commands": .array(LanguageServerCommand.allCases.map { .string($0.rawValue) })],
    ]
}
