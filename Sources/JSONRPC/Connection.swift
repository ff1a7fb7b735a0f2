import Dispatch
import Foundation
import WorkScheduling

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a server implements to receive the messages of a ``JSONRPCConnection``.
///
/// Requests arrive already decoded into their registered ``RequestType`` (unknown methods and bad
/// params were answered by the connection). Handlers are called on Dispatch threads, possibly
/// concurrently: a slow request never delays the next one. Long blocking work belongs on a
/// `WorkerPool`; `reply` may be called later from any thread. Notifications are delivered one at
/// a time, in arrival order.
public protocol MessageHandler: Sendable {
    /// Handles request `id`. Call `reply` exactly once; the connection answers -32800 instead of
    /// the reply when `cancellation` was cancelled by `$/cancelRequest`, and drops extra replies.
    func handle<Request: RequestType>(
        request: Request,
        id: RequestID,
        cancellation: CancellationToken,
        reply: @escaping @Sendable (Result<Request.Response, ResponseError>) -> Void
    )

    /// Handles a notification (never answered).
    func handle<Notification: NotificationType>(notification: Notification)
}

/// A JSON-RPC 2.0 endpoint over the LSP base protocol on two file descriptors (standard input and
/// output in `lazywheel serve`, a pair of pipes in tests).
///
/// - A reader thread (not the cooperative pool) reads `input`, frames it with ``MessageFramer`` and
///   dispatches requests concurrently, notifications in order.
/// - Every frame is written whole by one serial send queue, so concurrent replies never interleave.
/// - `$/cancelRequest` is handled here, ahead of any queued work: it cancels the request's
///   ``CancellationToken``; that request is still answered exactly once, with -32800.
/// - Unreadable frames and invalid messages are answered with -32700/-32600 (id `null` when it
///   could not be read) and reading continues with the next frame.
/// - End of input closes the connection and calls the `onClose` handler given to ``start(handler:onClose:)``.
///
/// States: ``State/created`` → ``State/running`` (``start(handler:onClose:)``) → ``State/closed``.
///
/// Typical start-up of a stdio server:
/// ```swift
/// let streams = try StandardIOGuard.claimStandardStreams()
/// let connection = JSONRPCConnection(input: streams.input, output: streams.output, registry: registry)
/// connection.start(handler: server) { reason in
///     connection.waitUntilSent()
///     exit(server.exitCode(after: reason))
/// }
/// dispatchMain()
/// ```
public final class JSONRPCConnection: Sendable {
    /// The lifecycle of a connection.
    public enum State: Sendable, Hashable {
        case created, running, closed
    }

    /// Why the connection closed.
    public enum CloseReason: Sendable, Hashable {
        /// The peer closed its end (EOF on input).
        case endOfInput
        /// Reading input failed with `errno`.
        case readFailed(errno: Int32)
        /// ``close()`` was called.
        case closedLocally
    }

    private struct Shared {
        var state: State = .created
        var handler: (any MessageHandler)?
        var onClose: (@Sendable (CloseReason) -> Void)?
        /// Requests received and not answered yet.
        var inflight: [RequestID: CancellationToken] = [:]
        /// Requests sent and waiting for the peer's response.
        var outgoing: [RequestID: @Sendable (Result<JSONValue, ResponseError>) -> Void] = [:]
        var nextOutgoingID = 1
        var outputBroken = false
        var reading = false
    }

    /// A label for log lines and thread names.
    public let name: String
    private let input: Int32
    private let output: Int32
    private let registry: MessageRegistry
    private let limits: FramingLimits
    private let log: LogSink
    private let shared = Locked(Shared())
    private let writer: FrameWriter
    /// Runs response callbacks of requests this side sent.
    private let responseQueue: DispatchQueue
    private let notificationQueue: DispatchQueue

    /// A connection reading frames from `input` and writing frames to `output`. The descriptors
    /// stay owned by the caller. `registry` lists the methods the handler understands.
    public init(
        name: String = "jsonrpc",
        input: Int32,
        output: Int32,
        registry: MessageRegistry,
        limits: FramingLimits = FramingLimits(),
        log: LogSink = .standardError()
    ) {
        self.name = name
        self.input = input
        self.output = output
        self.registry = registry
        self.limits = limits
        self.log = log
        self.writer = FrameWriter(name: name) { [shared, log] frame in
            guard !shared.withLock({ $0.outputBroken }) else { return }
            if let code = Self.writeAll(frame.header, to: output) ?? Self.writeAll(frame.body, to: output) {
                shared.withLock { $0.outputBroken = true }
                log.log(.error, "\(name): writing to the output failed: \(String(cString: strerror(code))); output stopped")
            }
        }
        self.responseQueue = DispatchQueue(label: "\(name).responses", attributes: .concurrent)
        self.notificationQueue = DispatchQueue(label: "\(name).notifications")
    }

    /// The current lifecycle state.
    public var state: State { shared.withLock { $0.state } }

    /// Starts the reader thread. `onClose` runs once when the connection closes.
    /// Also makes the process ignore `SIGPIPE`, so a vanished peer shows up as a write error
    /// instead of killing the server.
    public func start(handler: any MessageHandler, onClose: @escaping @Sendable (CloseReason) -> Void = { _ in }) {
        let started = shared.withLock { shared -> Bool in
            guard shared.state == .created else { return false }
            shared.state = .running
            shared.reading = true
            shared.handler = handler
            shared.onClose = onClose
            return true
        }
        guard started else {
            log.log(.error, "\(name): start() called on a connection that is not new; ignored")
            return
        }
        signal(SIGPIPE, SIG_IGN)
        let thread = Thread { [self] in readLoop() }
        thread.name = "\(name).reader"
        thread.start()
    }

    /// Closes the connection: stops dispatching input, cancels requests in progress and fails
    /// requests waiting for the peer. Frames already queued are still written.
    public func close() {
        closeConnection(.closedLocally)
    }

    /// Whether the reader thread still runs (it stops at end of input, on a read error, or within
    /// a fraction of a second after ``close()``).
    public var isReading: Bool { shared.withLock { $0.reading } }

    /// Blocks until every frame queued so far has been written.
    public func waitUntilSent() {
        writer.waitUntilWritten()
    }

    // MARK: Sending

    /// Sends a notification to the peer (`$/progress`, `window/logMessage`, ...).
    public func send<Notification: NotificationType>(notification: Notification) {
        do {
            let params = try JSONValue(encoding: notification)
            send(NotificationMessage(method: Notification.method, params: params))
        } catch {
            log.log(.error, "\(name): could not encode \(Notification.method) notification: \(error)")
        }
    }

    /// Sends an untyped notification.
    public func send(_ notification: NotificationMessage) {
        enqueue(notification.jsonValue)
    }

    /// Sends a request to the peer; `reply` receives its decoded response (or an error, also when
    /// the connection closes first). Returns the id the request was sent with.
    @discardableResult
    public func sendRequest<Request: RequestType>(
        _ request: Request,
        reply: @escaping @Sendable (Result<Request.Response, ResponseError>) -> Void
    ) -> RequestID {
        let params: JSONValue
        do {
            params = try JSONValue(encoding: request)
        } catch {
            let id = shared.withLock { shared -> RequestID in
                defer { shared.nextOutgoingID += 1 }
                return .int(shared.nextOutgoingID)
            }
            reply(.failure(.internalError("could not encode \(Request.method) params: \(error)")))
            return id
        }
        let decodeAndReply: @Sendable (Result<JSONValue, ResponseError>) -> Void = { result in
            reply(result.flatMap { json in
                do {
                    return .success(try json.decode(Request.Response.self))
                } catch {
                    return .failure(.internalError("could not decode the response to \(Request.method): \(error)"))
                }
            })
        }
        let (id, closed) = shared.withLock { shared -> (RequestID, Bool) in
            let id = RequestID.int(shared.nextOutgoingID)
            shared.nextOutgoingID += 1
            guard shared.state != .closed else { return (id, true) }
            shared.outgoing[id] = decodeAndReply
            return (id, false)
        }
        if closed {
            reply(.failure(Self.connectionClosedError))
            return id
        }
        enqueue(RequestMessage(id: id, method: Request.method, params: params).jsonValue)
        return id
    }

    /// Sends a request to the peer and waits for its response.
    public func sendRequest<Request: RequestType>(_ request: Request) async throws(ResponseError) -> Request.Response {
        let result = await withCheckedContinuation { continuation in
            sendRequest(request) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    private static let connectionClosedError = ResponseError(
        code: .unknownErrorCode, message: "the connection closed before the response arrived")

    /// Frames of at least this many bytes are written before ``enqueue(_:)`` returns, so a large
    /// reply never waits in memory behind a slow reader after its sender has moved on (the server
    /// counts such replies against its memory budget until they are written).
    public static let synchronousFrameBytes = 64 << 10

    /// Queues one whole frame for `message`; a large one is written before returning.
    private func enqueue(_ message: JSONValue) {
        enqueue(body: message.serializedBytes())
    }

    /// Queues the frame of the serialized message `body`; a large one is written before returning.
    private func enqueue(body: [UInt8]) {
        // Header and body are written one after the other, without copying the body into one frame.
        let header = MessageFrameEncoder.header(forBodyLength: body.count)
        writer.enqueue(FrameWriter.Frame(header: header, body: body), waitUntilWritten: body.count >= Self.synchronousFrameBytes)
    }

    /// Writes all of `bytes`; returns the `errno` of a failed write.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN || errno == EWOULDBLOCK {
                        // A non-blocking descriptor is full: wait until it drains.
                        var descriptor = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&descriptor, 1, 1000)
                        continue
                    }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    private func sendResponse(id: RequestID?, _ result: Result<JSONValue, ResponseError>) {
        guard case .unpairedSurrogates(let text) = id else {
            enqueue(ResponseMessage(id: id, result: result).jsonValue)
            return
        }
        // No JSON value can hold the id: the reply is made with a unique stand-in string, whose
        // serialized form is then replaced by the id's own JSON text.
        let standIn = "lazywheel-id-\(UUID().uuidString)"
        let message = ResponseMessage(id: .string(standIn), result: result).jsonValue
        var body = message.serializedBytes()
        let quoted = Array("\"\(standIn)\"".utf8)
        if let start = body.firstRange(of: quoted) {
            body.replaceSubrange(start, with: Array("\"\(text)\"".utf8))
        }
        enqueue(body: body)
    }

    // MARK: Reading

    private func readLoop() {
        defer { shared.withLock { $0.reading = false } }
        var framer = MessageFramer(limits: limits)
        var skipped: FramingError?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            guard state == .running else { return }
            var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready == 0 { continue }
            if ready < 0 {
                if errno == EINTR { continue }
                closeConnection(.readFailed(errno: errno))
                return
            }
            guard state == .running else { return }
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 {
                for event in framer.finish() { process(event, skipped: &skipped) }
                closeConnection(.endOfInput)
                return
            }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                closeConnection(.readFailed(errno: errno))
                return
            }
            for event in framer.consume(buffer[0..<count]) {
                guard state == .running else { return }
                process(event, skipped: &skipped)
            }
        }
    }

    /// Handles one framing event. `skipped` holds the error of a body being skipped until its
    /// head arrives, so the answer can carry the request's id.
    private func process(_ event: FramingEvent, skipped: inout FramingError?) {
        switch event {
        case .message(let body):
            process(IncomingMessage(body: body))
        case .error(let error):
            log.log(.warning, "\(name): bad frame: \(error)")
            switch error {
            case .truncatedFrame:
                break  // the input ended; nobody is left to answer
            case .bodyTooLarge, .unsupportedCharset:
                skipped = error  // answered when the head of the skipped body arrives
            default:
                sendResponse(id: nil, .failure(.parseError(error.description)))
            }
        case .skippedBodyHead(let head):
            guard let error = skipped else { return }
            skipped = nil
            let id = IncomingMessage.recoverID(from: head)
            if case .bodyTooLarge = error {
                sendResponse(id: id, .failure(.invalidRequest(error.description)))
            } else {
                sendResponse(id: id, .failure(.parseError(error.description)))
            }
        case .resynchronized(let discarded):
            log.log(.warning, "\(name): resynchronized on the next Content-Length header after discarding \(discarded) bytes")
        }
    }

    private func process(_ message: IncomingMessage) {
        switch message {
        case .request(let request):
            receive(request)
        case .notification(let notification):
            receive(notification)
        case .response(let response):
            receive(response)
        case .invalid(let invalid):
            log.log(.warning, "\(name): \(invalid)")
            if invalid.looksLikeResponse {
                if let id = invalid.id, let waiting = shared.withLock({ $0.outgoing.removeValue(forKey: id) }) {
                    responseQueue.async { waiting(.failure(invalid.error)) }
                }
            } else {
                sendResponse(id: invalid.id, .failure(invalid.error))
            }
        }
    }

    private func receive(_ request: RequestMessage) {
        let token = CancellationToken()
        let (handler, duplicate) = shared.withLock { shared -> ((any MessageHandler)?, Bool) in
            if shared.inflight[request.id] != nil { return (shared.handler, true) }
            shared.inflight[request.id] = token
            return (shared.handler, false)
        }
        if duplicate {
            log.log(.warning, "\(name): request id \(request.id) is already in use by a request in progress")
            sendResponse(
                id: request.id,
                .failure(.invalidRequest("request id \(request.id) is already in use by a request in progress")))
            return
        }
        guard let handler else { return }
        let reply = makeReply(id: request.id, method: request.method, token: token)
        // Started from the notification queue, so every notification received before the request
        // (an LSP `didChange` before a `hover`) has been handled when it starts. Then a queue of its
        // own per request: a serial queue without target runs on Dispatch's overcommitting pool,
        // which starts a thread when the others are blocked, so a handler that blocks never delays
        // the next request (a shared concurrent queue would wait for one).
        let requestQueue = DispatchQueue(label: "\(name).request")
        notificationQueue.async { [registry] in
            requestQueue.async {
                let decoded: any RequestType
                do throws(ResponseError) {
                    decoded = try registry.decode(request)
                } catch {
                    reply(.failure(error))
                    return
                }
                Self.dispatch(decoded, id: request.id, token: token, to: handler, reply: reply)
            }
        }
    }

    /// Opens the request existential so the handler sees its concrete type.
    private static func dispatch<Request: RequestType>(
        _ request: Request,
        id: RequestID,
        token: CancellationToken,
        to handler: any MessageHandler,
        reply: @escaping @Sendable (Result<JSONValue, ResponseError>) -> Void
    ) {
        handler.handle(request: request, id: id, cancellation: token) { (result: Result<Request.Response, ResponseError>) in
            reply(result.flatMap { response in
                do {
                    return .success(try JSONValue(encoding: response))
                } catch {
                    return .failure(.internalError("could not encode the \(Request.method) response: \(error)"))
                }
            })
        }
    }

    /// The reply function of request `id`: the first call sends the response (-32800 when the
    /// request was cancelled); later calls are dropped and logged.
    private func makeReply(id: RequestID, method: String, token: CancellationToken)
        -> @Sendable (Result<JSONValue, ResponseError>) -> Void
    {
        let answered = Locked(false)
        return { [self] result in
            let first = answered.withLock { answered -> Bool in
                defer { answered = true }
                return !answered
            }
            guard first else {
                log.log(.warning, "\(name): dropping a second reply to request \(id) (\(method))")
                return
            }
            shared.withLock { shared in
                if shared.inflight[id] === token { shared.inflight[id] = nil }
            }
            var result = result
            if token.isCancelled {
                if case .failure(let error) = result, error.code == .requestCancelled {
                    // the handler's own -32800 is kept
                } else {
                    result = .failure(.cancelled)
                }
            }
            sendResponse(id: id, result)
        }
    }

    private func receive(_ notification: NotificationMessage) {
        if notification.method == CancelRequestNotification.method {
            cancelRequest(notification)
            return
        }
        guard let handler = shared.withLock({ $0.handler }) else { return }
        guard registry.notificationType(for: notification.method) != nil else {
            let level: LogLevel = notification.method.hasPrefix("$/") ? .debug : .warning
            log.log(level, "\(name): ignoring unknown notification \(notification.method)")
            return
        }
        notificationQueue.async { [registry, log, name] in
            do throws(ResponseError) {
                let decoded = try registry.decode(notification)
                Self.dispatch(decoded, to: handler)
            } catch {
                log.log(.warning, "\(name): ignoring notification \(notification.method): \(error.message)")
            }
        }
    }

    private static func dispatch<Notification: NotificationType>(_ notification: Notification, to handler: any MessageHandler) {
        handler.handle(notification: notification)
    }

    /// `$/cancelRequest`: cancels the request's token right away, on the reader thread.
    private func cancelRequest(_ notification: NotificationMessage) {
        let cancel: CancelRequestNotification
        do throws(ResponseError) {
            cancel = try CancelRequestNotification.decode(params: notification.params)
        } catch {
            log.log(.warning, "\(name): ignoring $/cancelRequest: \(error.message)")
            return
        }
        guard let token = shared.withLock({ $0.inflight[cancel.id] }) else {
            log.log(.debug, "\(name): $/cancelRequest for \(cancel.id), which is not in progress")
            return
        }
        token.cancel()
    }

    private func receive(_ response: ResponseMessage) {
        guard let id = response.id else {
            if case .failure(let error) = response.result {
                log.log(.warning, "\(name): the peer reported an error about an unidentified message: \(error)")
            }
            return
        }
        guard let waiting = shared.withLock({ $0.outgoing.removeValue(forKey: id) }) else {
            log.log(.warning, "\(name): dropping a response to \(id), which is not a request in progress")
            return
        }
        responseQueue.async { waiting(response.result) }
    }

    // MARK: Closing

    private func closeConnection(_ reason: CloseReason) {
        let closing = shared.withLock { shared -> (tokens: [CancellationToken], waiting: [@Sendable (Result<JSONValue, ResponseError>) -> Void], onClose: (@Sendable (CloseReason) -> Void)?)? in
            guard shared.state != .closed else { return nil }
            shared.state = .closed
            let result = (Array(shared.inflight.values), Array(shared.outgoing.values), shared.onClose)
            shared.outgoing.removeAll()
            shared.onClose = nil
            return result
        }
        guard let closing else { return }
        log.log(.info, "\(name): connection closed (\(reason))")
        for token in closing.tokens { token.cancel() }
        for waiting in closing.waiting { waiting(.failure(Self.connectionClosedError)) }
        closing.onClose?(reason)
    }
}
