import Foundation
import JSONRPC
import LazyWheelCore
import WorkScheduling

/// `lazywheel serve`: the JSON-RPC 2.0 service behind a ``JSONRPCConnection``.
///
/// Lifecycle as LSP defines it: requests before `initialize` are answered -32002, after
/// `shutdown` -32600; `exit` ends the process with 0 after `shutdown`, 1 otherwise (also when the
/// client closes the input without `exit`). Requests that can be answered from memory are answered
/// on the connection's thread at once; the rest run on a bounded worker pool, each with the
/// ``CancellationToken`` that `$/cancelRequest` cancels (aborting its HTTP transfer).
public final class LazyWheelService: MessageHandler {
    /// Every method of the protocol, each declared once as a type (see protocol/PROTOCOL.md).
    public static let registry = MessageRegistry(
        requests: [
            InitializeRequest.self, ShutdownRequest.self, OpenWheelRequest.self, ListEntriesRequest.self,
            ReadRangeRequest.self, ReadEntryRequest.self, GetMetadataRequest.self, CloseWheelRequest.self,
            StatsRequest.self, ResolveRequest.self,
            // The language server mode (LanguageServer/).
            HoverRequest.self, CompletionRequest.self, CodeLensRequest.self, InlayHintRequest.self,
            CodeActionRequest.self, DocumentLinkRequest.self, ExecuteCommandRequest.self, DependencyAtRequest.self,
        ],
        notifications: [
            InitializedNotification.self, ExitNotification.self,
            DidOpenTextDocumentNotification.self, DidChangeTextDocumentNotification.self,
            DidCloseTextDocumentNotification.self, DidSaveTextDocumentNotification.self,
            DidChangeConfigurationNotification.self,
        ])

    private enum Lifecycle {
        case uninitialized, running, shutDown
    }

    private let session: ServerSession
    private let lifecycle = Locked(Lifecycle.uninitialized)
    private let onExit: @Sendable (Int32) -> Void

    /// - Parameters:
    ///   - options: defaults from the command line; `initialize` may override them.
    ///   - notify: sends a notification to the client (the connection's `send`).
    ///   - onExit: ends the process with the given code (after `exit`, or when the input closed).
    public init(
        engine: WheelEngine = WheelEngine(), options: ServerOptions = ServerOptions(), log: LogSink = .standardError(label: "lazywheel"),
        notify: @escaping @Sendable (NotificationMessage) -> Void, onExit: @escaping @Sendable (Int32) -> Void
    ) {
        self.session = ServerSession(engine: engine, options: options, log: log, notify: notify)
        self.onExit = onExit
    }

    /// Lets the service ask the client for progress tokens (`window/workDoneProgress/create`) for
    /// work it starts itself, such as diagnostics: `create` sends the request and calls back with
    /// whether the client accepted it.
    public func sendWorkDoneProgressCreation(
        with create: @escaping @Sendable (ProgressToken, @escaping @Sendable (Bool) -> Void) -> Void
    ) {
        session.languageServer.sendProgressCreation(with: create)
    }

    /// Lets the service send its requests to the client through `connection`: progress tokens
    /// for background work, `workspace/configuration` and `workspace/applyEdit`.
    public func sendRequests(through connection: JSONRPCConnection) {
        sendWorkDoneProgressCreation { token, done in
            connection.sendRequest(WorkDoneProgressCreateRequest(token: token)) { result in
                done((try? result.get()) != nil)
            }
        }
        session.languageServer.clientRequests.connect(ClientRequests.Senders(
            configuration: { request, reply in
                connection.sendRequest(request) { reply(try? $0.get()) }
            },
            applyEdit: { request in
                connection.sendRequest(request) { _ in }
            }))
    }

    /// The exit code the process should end with now: 0 after `shutdown`, else 1.
    public var exitCode: Int32 { lifecycle.withLock { $0 == .shutDown ? 0 : 1 } }

    /// Called when the client closed the connection's input.
    public func connectionClosed() {
        onExit(exitCode)
    }

    public func handle<Request: RequestType>(
        request: Request, id: RequestID, cancellation: CancellationToken,
        reply: @escaping @Sendable (Result<Request.Response, ResponseError>) -> Void
    ) {
        guard let method = request as? any ServerMethod else {
            reply(.failure(.methodNotFound(Request.method)))
            return
        }
        let isInitialize = request is InitializeRequest
        let refusal: ResponseError? = lifecycle.withLock { state in
            switch state {
            case .uninitialized where !isInitialize:
                return .serverNotInitialized
            case .running where isInitialize:
                return .invalidRequest("initialize was already called in this session")
            case .shutDown:
                return .invalidRequest("the server is shutting down: after shutdown only the exit notification is accepted")
            default:
                return nil
            }
        }
        if let refusal {
            reply(.failure(refusal))
            return
        }
        let progress = ProgressReporter(token: method.workDoneToken, send: session.notify)
        let context = RequestContext(session: session, cancellation: cancellation, progress: progress)
        dispatch(method, context: context) { [self] result in
            if case .success = result {
                if isInitialize { lifecycle.withLock { $0 = .running } }
                if request is ShutdownRequest { lifecycle.withLock { $0 = .shutDown } }
            }
            reply(result.map { $0 as! Request.Response })
        }
    }

    /// Answers `method` from memory when it can, else on the request pool.
    private func dispatch<Method: ServerMethod>(
        _ method: Method, context: RequestContext,
        reply: @escaping @Sendable (Result<any Sendable, ResponseError>) -> Void
    ) {
        do {
            if let answer = try method.answerFromMemory(in: context.session) {
                reply(.success(answer))
                return
            }
        } catch {
            reply(.failure(ResponseError(mapping: error)))
            return
        }
        context.session.requestPool.submit { [session] in
            // The reply is written by the time `reply` returns (large frames are written
            // synchronously), so the memory reserved for it is given back then.
            defer { context.replyMemory.releaseAll() }
            do {
                try context.cancellation.throwIfCancelled()
                reply(.success(try method.answer(in: context)))
            } catch {
                let mapped = ResponseError(mapping: error)
                if mapped.code == .internalError {
                    session.log(.error, "\(Method.method) failed: \(error)")
                }
                reply(.failure(mapped))
            }
        }
    }

    public func handle<Notification: NotificationType>(notification: Notification) {
        switch notification {
        case is ExitNotification:
            onExit(exitCode)
        case is DidOpenTextDocumentNotification, is DidChangeTextDocumentNotification, is DidCloseTextDocumentNotification,
             is InitializedNotification, is DidChangeConfigurationNotification:
            session.languageServer.handle(notification, session: session)
        default:
            break
        }
    }
}
