import Foundation
import WorkScheduling

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One attempt of one request in flight: what the delegate learned about it, and the semaphore the
/// blocked caller waits on.
final class TaskExchange: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    /// Why the client stopped a task itself.
    enum Stop: Equatable {
        case bodyLimit
        case contentEncoding
        case tooManyRedirects
        case redirectScheme(location: String)
        /// No byte arrived within the idle timeout.
        case timedOut
        /// The server (401 with `WWW-Authenticate`) asked for credentials; the URL loading system
        /// would otherwise wait for a credential store this client does not use.
        case authenticationRequired(status: Int, realm: String?)
        /// The attempt ran past its deadline, however many bytes were still arriving.
        case deadline
    }

    /// The header fields a redirect to another origin keeps: those that describe the request
    /// itself. Every other field (`Authorization`, `Cookie`, `X-Api-Key`, `Private-Token`,
    /// `Proxy-Authorization`, whatever a client supplied) is meant for the origin it was given
    /// for (RFC 9110 §11.6.2 "protection space"; §15.4 leaves the rest to the client).
    static let crossOriginHeaders: Set<String> = [
        "range", "if-range", "accept", "accept-encoding", "if-none-match", "if-modified-since", "user-agent",
    ]

    let bodyLimit: Int
    /// Takes the body instead of memory, when set.
    let bodySink: (any HTTPBodySink)?
    let rejectsContentEncoding: Bool
    let maxRedirects: Int
    /// Header fields re-applied on every redirect hop (RFC 9110 §15.4 leaves it to the client).
    let keptHeaders: [String: String]
    let originalOrigin: String
    let done = DispatchSemaphore(value: 0)
    /// Where the task is cancelled (see ``cancel(_:)``).
    private let cancelQueue: DispatchQueue

    private let lock = NSLock()
    private var _response: HTTPURLResponse?
    private var _body = Data()
    /// Body bytes that reached the delegate, kept or not.
    private var _received: Int64 = 0
    private var _redirects = 0
    private var _stop: Stop?
    private var _error: (any Error)?
    /// Set once a hop left the original origin: from then on no origin-bound header is sent,
    /// even if a later hop comes back.
    private var leftOrigin = false
    private var lastActivity = DispatchTime.now()
    private var redirectIssuedAt: DispatchTime?
    private var finished = false
    private var cancelSent = false
    /// Whether `done` was signalled (by the end of the task or by a cancel).
    private var callerWoken = false

    init(
        request: URLRequest, bodyLimit: Int, bodySink: (any HTTPBodySink)? = nil, rejectsContentEncoding: Bool,
        maxRedirects: Int, cancelQueue: DispatchQueue
    ) {
        self.bodySink = bodySink
        self.cancelQueue = cancelQueue
        self.bodyLimit = bodyLimit
        self.rejectsContentEncoding = rejectsContentEncoding
        self.maxRedirects = maxRedirects
        var kept: [String: String] = [:]
        for name in ["Range", "If-Range", "Accept-Encoding", "If-None-Match", "If-Modified-Since"] {
            if let value = request.value(forHTTPHeaderField: name) { kept[name] = value }
        }
        self.keptHeaders = kept
        self.originalOrigin = request.url?.origin ?? ""
    }

    var result: (response: HTTPURLResponse?, body: Data, redirects: Int, stop: Stop?, error: (any Error)?, received: Int64) {
        lock.lock(); defer { lock.unlock() }
        return (_response, _body, _redirects, _stop, _error, _received)
    }

    /// The request for the next hop, or nil to stop following (the 3xx becomes the answer).
    ///
    /// - Parameter location: the answer's own `Location` field. Its scheme is checked as sent:
    ///   swift-corelibs-foundation rewrites a `file:` location into an `http` URL on the same host
    ///   before `proposed` reaches the delegate, so `proposed` alone would follow it.
    func redirect(to proposed: URLRequest, location: String?) -> URLRequest? {
        lock.lock(); defer { lock.unlock() }
        lastActivity = .now()
        redirectIssuedAt = lastActivity
        _redirects += 1
        guard _redirects <= maxRedirects else {
            _stop = .tooManyRedirects
            return nil
        }
        if let sent = location.flatMap(URL.init(string:)), let scheme = sent.scheme?.lowercased(),
           scheme != "http", scheme != "https"
        {
            _stop = .redirectScheme(location: URLCredentials.redacted(sent))
            return nil
        }
        guard let url = proposed.url, let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            _stop = .redirectScheme(location: proposed.url.map { URLCredentials.redacted($0) } ?? "(none)")
            return nil
        }
        var next = proposed
        if url.origin != originalOrigin { leftOrigin = true }
        if leftOrigin {
            // `proposed` carries every field of the first request (swift-corelibs-foundation copies them).
            let fields = (proposed.allHTTPHeaderFields ?? [:]).filter { Self.crossOriginHeaders.contains($0.key.lowercased()) }
            next.allHTTPHeaderFields = fields
        }
        for (name, value) in keptHeaders { next.setValue(value, forHTTPHeaderField: name) }
        return next
    }

    /// Records that the server asked for credentials (the task is then cancelled).
    func authenticationRequired(status: Int, realm: String?) {
        lock.lock(); defer { lock.unlock() }
        lastActivity = .now()
        if _stop == nil { _stop = .authenticationRequired(status: status, realm: realm) }
    }

    /// Whether to keep reading after the headers of `response`.
    func accept(_ response: HTTPURLResponse) -> Bool {
        lock.lock(); defer { lock.unlock() }
        lastActivity = .now()
        // A proxy's answer to CONNECT ("200 Connection established", no fields) reaches the
        // delegate as a response of its own, before the server's: it says nothing of the body.
        if response.statusCode == 200, response.allHeaderFields.isEmpty { return true }
        redirectIssuedAt = nil
        _response = response
        if rejectsContentEncoding, let coding = response.value(forHTTPHeaderField: "Content-Encoding")?
            .trimmingCharacters(in: .whitespaces).lowercased(), !coding.isEmpty, coding != "identity"
        {
            _stop = .contentEncoding
            return false
        }
        if let bodySink {
            var headers = HTTPHeaderFields()
            for case let (name as String, value as String) in response.allHeaderFields { headers[name] = value }
            if !bodySink.begin(status: response.statusCode, headers: headers) {
                _stop = .bodyLimit
                return false
            }
            return true
        }
        let length = response.value(forHTTPHeaderField: "Content-Length").flatMap { Int64($0) }
        if let length, length > Int64(bodyLimit) {
            _stop = .bodyLimit
            return false
        }
        // A byte range answered with a body of no announced length (chunked or ended by closing
        // the connection) ends when the server likes: it is not read at all (the server ignores
        // ranges, or breaks them), since a cancelled task goes on reading its connection until
        // FoundationNetworking gets to the cancel.
        if length == nil, keptHeaders["Range"] != nil {
            _stop = .bodyLimit
            return false
        }
        return true
    }

    /// Appends body bytes; false when the body grew past the limit (the task must be cancelled).
    func append(_ data: Data) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard _stop == nil else { return false }
        lastActivity = .now()
        _received += Int64(data.count)
        if let bodySink {
            if !bodySink.receive(data) { _stop = .bodyLimit }
            return _stop == nil
        }
        _body.append(data)
        if _body.count > bodyLimit {
            _stop = .bodyLimit
            return false
        }
        return true
    }

    func complete(_ error: (any Error)?) {
        lock.lock()
        _error = error
        finished = true
        redirectIssuedAt = nil
        let wake = !callerWoken
        callerWoken = true
        lock.unlock()
        if wake { done.signal() }
    }

    /// Seconds since the last sign of life (request start, redirect, headers, body bytes).
    var idleSeconds: Double {
        lock.lock(); defer { lock.unlock() }
        return Double(DispatchTime.now().uptimeNanoseconds - lastActivity.uptimeNanoseconds) / 1e9
    }

    /// Marks why the client stops the attempt itself (unless it already stopped for another reason).
    func markStopped(_ reason: Stop) {
        lock.lock(); defer { lock.unlock() }
        if _stop == nil { _stop = reason }
    }

    /// Cancels `task`, once, on the cancel queue: `URLSessionTask.cancel()` waits for the URL
    /// loading system's queue, which may itself be waiting for the delegate (``DelegateQueue``).
    /// Never inside the moment after a redirect decision was handed back: swift-corelibs-foundation
    /// traps when a task is cancelled or times out between the redirect delegate callback and the
    /// start of the next hop, so such a cancel waits a little.
    ///
    /// The caller is woken at once with what arrived so far, without waiting for the task to end:
    /// FoundationNetworking runs a cancel only when its queue is free, and a connection that
    /// keeps delivering (an endless body) keeps it busy for seconds; what the task still delivers
    /// meanwhile is dropped by the delegate.
    func cancel(_ task: URLSessionTask) {
        lock.lock()
        let isFinished = finished || cancelSent
        let recentRedirect = redirectIssuedAt.map { DispatchTime.now().uptimeNanoseconds - $0.uptimeNanoseconds < 200_000_000 } ?? false
        if !isFinished, !recentRedirect { cancelSent = true }
        let wake = !isFinished && !callerWoken
        if wake { callerWoken = true }
        lock.unlock()
        if wake { done.signal() }
        if isFinished { return }
        if recentRedirect {
            cancelQueue.asyncAfter(deadline: .now() + .milliseconds(200)) { [self] in self.cancel(task) }
        } else {
            cancelQueue.async { task.cancel() }
        }
    }
}

/// The URLSession delegate shared by every task of one ``HTTPClient``: routes callbacks to the
/// task's ``TaskExchange`` by task identifier.
final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let exchanges = Locked<[Int: TaskExchange]>([:])

    func register(_ exchange: TaskExchange, for task: URLSessionTask) {
        exchanges.withLock { $0[task.taskIdentifier] = exchange }
    }

    func unregister(_ task: URLSessionTask) {
        _ = exchanges.withLock { $0.removeValue(forKey: task.taskIdentifier) }
    }

    private func exchange(for task: URLSessionTask) -> TaskExchange? {
        exchanges.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        let location = response.value(forHTTPHeaderField: "Location")
        completionHandler(exchange(for: task)?.redirect(to: request, location: location))
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse, let exchange = exchange(for: dataTask) else {
            completionHandler(.cancel)
            return
        }
        completionHandler(exchange.accept(http) ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let exchange = exchange(for: dataTask) else { return }
        if !exchange.append(data) { exchange.cancel(dataTask) }
    }

    /// A 401 with `WWW-Authenticate`: the credentials sent (if any) are all this client has, so the
    /// challenge is refused and the attempt ends at once as ``TaskExchange/Stop/authenticationRequired(status:realm:)``.
    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        let status = (challenge.failureResponse as? HTTPURLResponse)?.statusCode ?? 401
        let realm = challenge.protectionSpace.realm
        exchange(for: task)?.authenticationRequired(status: status, realm: realm)
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        exchange(for: task)?.complete(error)
    }
}
