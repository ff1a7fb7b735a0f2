import DependencyDocuments
import Foundation
import JSONRPC
import LazyWheelCore
import PackageIndex
import Testing
import TestSupport
import WorkScheduling
@testable import LazyWheelServer

/// The editor features against an in-process simple index (TestHTTPServer) serving a corpus wheel.
@Suite("language server against an index", .serialized)
struct LanguageServerIndexTests {
    static var corpus: URL { TestRepository.corpusWheels }

    /// Notifications the session sent.
    final class NotificationLog: Sendable {
        let messages = Locked<[NotificationMessage]>([])
    }

    final class Fixture: Sendable {
        let server = TestHTTPServer()
        let session: ServerSession
        let notifications = NotificationLog()
        let cache: URL

        init() throws {
            let base = try server.start()
            let wheel = "idna-3.10-py3-none-any.whl"
            server.setFile("/wheels/\(wheel)", data: try Data(contentsOf: LanguageServerIndexTests.corpus.appendingPathComponent(wheel)))
            server.setFile("/simple/idna/", data: Data("""
                <html><body><a href="../../wheels/\(wheel)" data-requires-python="&gt;=3.6">\(wheel)</a></body></html>
                """.utf8))
            server.setFile("/simple/slow/", data: Data("<html></html>".utf8))
            server.setFaults({ var faults = ServerFaults(); faults.stallBeforeHeaders = 20; return faults }(), for: "/simple/slow/")
            cache = FileManager.default.temporaryDirectory.appendingPathComponent("lazywheel-lsp-\(UUID().uuidString)")
            var options = ServerOptions()
            options.indexUrl = base.appendingPathComponent("simple/").absoluteString
            options.python = "3.12"
            options.platform = "manylinux_2_28_x86_64"
            let sink = notifications
            session = ServerSession(
                engine: WheelEngine(), options: options, log: .discard,
                environment: ConfigurationEnvironment(variables: ["XDG_CACHE_HOME": cache.path], homeDirectory: nil, readFile: { _ in nil }),
                notify: { message in sink.messages.withLock { $0.append(message) } })
        }

        deinit {
            try? server.shutdown()
            CacheEntryWriter.shared.drain()  // or a late cache entry makes the folder again
            try? FileManager.default.removeItem(at: cache)
        }

        func open(_ uri: String, _ text: String) {
            session.languageServer.handle(
                DidOpenTextDocumentNotification(textDocument: .init(uri: uri, languageId: nil, version: 1, text: text)), session: session)
        }

        func context(_ cancellation: CancellationToken = CancellationToken()) -> RequestContext {
            RequestContext(session: session, cancellation: cancellation, progress: ProgressReporter(token: nil, send: session.notify))
        }

        /// The diagnostics last published for `uri` once `predicate` holds (polls up to 10 s).
        func diagnostics(_ uri: String, until predicate: ([Diagnostic]) -> Bool) throws -> [Diagnostic] {
            for _ in 0..<200 {
                let published = notifications.messages.withLock { $0 }.filter { $0.method == "textDocument/publishDiagnostics" }
                if let last = try published.last(where: { $0.params?["uri"]?.stringValue == uri })
                    .map({ try $0.params!.decode(PublishDiagnosticsParams.self) }), predicate(last.diagnostics)
                {
                    return last.diagnostics
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Issue.record("no diagnostics satisfying the predicate were published for \(uri)")
            return []
        }
    }

    @Test func hoverCompletionAndDiagnostics() throws {
        let fixture = try Fixture()
        let uri = "file:///project/requirements.txt"
        fixture.open(uri, "idna>=3\nidna==2.0\nbroken ==\n")

        let hover = try #require(try HoverRequest(textDocument: .init(uri: uri), position: .init(line: 0, character: 1))
            .answer(in: fixture.context()))
        #expect(hover.contents.kind == "markdown")
        #expect(hover.contents.value.contains("**idna** `3.10` (matches `>=3`) — latest"))
        #expect(hover.contents.value.contains("Requires-Python: `>=3.6`"))
        #expect(hover.contents.value.contains("Wheel for Python 3.12 (editor settings) on"))
        #expect(hover.range == LSPRange(start: .init(line: 0, character: 0), end: .init(line: 0, character: 7)))
        // The second hover on the same line is answered from memory.
        #expect(try HoverRequest(textDocument: .init(uri: uri), position: .init(line: 0, character: 2))
            .answerFromMemory(in: fixture.session) != nil)

        let completion = try CompletionRequest(textDocument: .init(uri: uri), position: .init(line: 0, character: 6))
            .answer(in: fixture.context())
        #expect(completion.items.map(\.label) == ["3.10"])
        #expect(completion.items.first?.detail == "latest")

        let diagnostics = try fixture.diagnostics(uri) { $0.contains { $0.code == "no-matching-version" } }
        #expect(diagnostics.contains { $0.code == "invalid-requirement" && $0.range.start.line == 2 })
        #expect(diagnostics.contains { $0.code == "no-matching-version" && $0.range.start.line == 1 })

        let lenses = try CodeLensRequest(textDocument: .init(uri: uri)).answer(in: fixture.context())
        #expect(lenses.map(\.command?.title) == ["latest 3.10 — update", "latest 3.10 (not allowed by ==2.0) — update"])
        #expect(lenses.allSatisfy { $0.command?.command == LanguageServerCommand.updateToLatest.rawValue })
    }

    @Test func cancellationAbortsTheLookup() throws {
        let fixture = try Fixture()
        let uri = "file:///project/requirements.in"
        fixture.open(uri, "slow\n")
        let cancellation = CancellationToken()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancellation.cancel() }
        #expect(throws: OperationCancelled.self) {
            _ = try HoverRequest(textDocument: .init(uri: uri), position: .init(line: 0, character: 1))
                .answer(in: fixture.context(cancellation))
        }
    }

    @Test func aHoverWaitingForTheDiagnosticsLookupStaysCancellable() throws {
        let fixture = try Fixture()
        let uri = "file:///project/requirements.txt"
        fixture.open(uri, "slow\n")
        Thread.sleep(forTimeInterval: 0.2)  // the diagnostics' lookup of `slow` is running
        let cancellation = CancellationToken()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancellation.cancel() }
        let started = Date()
        #expect(throws: OperationCancelled.self) {
            _ = try HoverRequest(textDocument: .init(uri: uri), position: .init(line: 0, character: 1))
                .answer(in: fixture.context(cancellation))
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func concurrentLookupsOfOneProjectShareOneFetch() throws {
        let fixture = try Fixture()
        let uri = "file:///project/requirements.txt"
        fixture.open(uri, "idna\n")
        let document = try #require(fixture.session.languageServer.documents.document(uri))
        let scope = try fixture.session.languageServer.scope(for: document, session: fixture.session)
        let before = fixture.server.requests.count
        let group = DispatchGroup()
        for _ in 0..<8 {
            DispatchQueue.global().async(group: group) {
                _ = try? fixture.session.languageServer.insights.insight(
                    name: "idna", specifier: nil, scope: scope, cancellation: CancellationToken())
            }
        }
        group.wait()
        // One page and the wheel's ranges, not eight times that (the diagnostics' lookup counts too).
        #expect(fixture.server.requests.count - before <= 4)
    }
}
