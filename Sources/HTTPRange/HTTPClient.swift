import Foundation
import LazyZip
import WorkScheduling

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A blocking HTTP/1.1 client (RFC 9110) for Dispatch worker threads, on one URLSession.
///
/// - No URL cache and no cookies; at most ``HTTPClientConfiguration/maxConnectionsPerHost``
///   connections per host; every request asks for `Accept-Encoding: identity` (RFC 9110 §12.5.3).
/// - Redirects are followed by the client's own rules: `Range` and `If-Range` are kept on every hop,
///   every other header the caller supplied (`Authorization`, `Cookie`, API keys, …) is dropped as
///   soon as the origin changes, and more than ``HTTPClientConfiguration/maxRedirects`` hops is an error.
/// - Connection errors, timeouts, bodies cut short and 500/502/503/504/429 answers are retried with
///   exponential backoff (``RetryPolicy``), waiting as long as a 429's or 503's `Retry-After` asks
///   up to ``RetryPolicy/maxRetryAfter``; a 401, a 407 and an untrusted certificate are not
///   (``HTTPClientError/authenticationRequired(url:status:realm:)``,
///   ``HTTPClientError/certificateNotTrusted(host:detail:)``).
/// - Credentials in a URL's userinfo become a Basic `Authorization` header (RFC 7617) and never
///   appear in errors.
/// - A ``CancellationToken`` cancels the task in flight; the call then throws ``OperationCancelled``.
public final class HTTPClient: Sendable {
    /// The settings the next request is sent with (a request in flight keeps those it started with).
    public var configuration: HTTPClientConfiguration { currentConfiguration.withLock { $0 } }
    private let currentConfiguration: Locked<HTTPClientConfiguration>
    /// Made on the first request: a process that answers from its caches never pays for
    /// URLSession's and libcurl's set-up (about 9 million instructions).
    private let lazySession = Locked<URLSession?>(nil)
    private let delegate = SessionDelegate()
    /// The session of hosts whose connections cannot be reused (``isolateConnections(to:)``):
    /// its own connection cache, and every request sent with `Connection: close`.
    private let lazySingleUseSession = Locked<URLSession?>(nil)
    private let singleUseDelegate = SessionDelegate()
    /// Origins (scheme, host, port) whose connections carry one request each.
    private let isolatedOrigins = Locked<Set<String>>([])
    /// Runs timeout watchdogs. A serial queue is served by libdispatch's
    /// overcommit threads, so it keeps running while every CPU-bound worker thread is blocked in
    /// a request (on a 2-CPU machine the global concurrent queue would starve).
    private let timerQueue = DispatchQueue(label: "lazywheel.http.timers")
    /// Runs the session's delegate callbacks, for the same reason; held here because
    /// `OperationQueue.underlyingQueue` does not retain it.
    private let callbackQueue = DispatchQueue(label: "lazywheel.http.delegate")
    /// Where tasks are cancelled: `URLSessionTask.cancel()` waits for the URL loading system's
    /// queue, which must never hold up the delegate's callbacks or the watchdogs (``DelegateQueue``).
    private let cancelQueue = DispatchQueue(label: "lazywheel.http.cancel")

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        currentConfiguration = Locked(configuration)
    }

    /// Changes the settings of later requests: timeouts, retries, redirects and `User-Agent`
    /// (the connection limit is fixed when the first request makes the session).
    public func reconfigure(_ configuration: HTTPClientConfiguration) {
        currentConfiguration.withLock { $0 = configuration }
    }

    deinit {
        // `invalidateAndCancel()` waits for the URL loading system's queue, which a transfer still
        // delivering an unwanted body can keep busy for seconds: the client's owner does not wait.
        let sessions = [lazySession.withLock { $0 }, lazySingleUseSession.withLock { $0 }].compactMap { $0 }
        cancelQueue.async { for session in sessions { session.invalidateAndCancel() } }
    }

    private var session: URLSession { Self.made(lazySession) { makeSession(delegate: delegate) } }

    private var singleUseSession: URLSession {
        Self.made(lazySingleUseSession) { makeSession(delegate: singleUseDelegate) }
    }

    /// The session in `slot`, made by `make` on first use.
    private static func made(_ slot: Locked<URLSession?>, _ make: () -> URLSession) -> URLSession {
        slot.withLock { session in
            if let session { return session }
            let made = make()
            session = made
            return made
        }
    }

    /// From now on, sends every request to the origin of `url` on a connection of its own, closed
    /// after the answer. For a server that sent bytes after a body (beyond its `Content-Length`):
    /// libcurl keeps such a connection and takes those bytes for the answer to the next request
    /// sent on it, which the answer's checks then see as a file that changed or a range not
    /// asked for.
    public func isolateConnections(to url: URL) {
        _ = isolatedOrigins.withLock { $0.insert(url.origin) }
    }

    /// Whether requests to the origin of `url` get a connection each (``isolateConnections(to:)``).
    public func isolatesConnections(to url: URL) -> Bool {
        isolatedOrigins.withLock { $0.contains(url.origin) }
    }

    /// Runs once, before the first session configuration. `URLSessionConfiguration.default` asks
    /// for `URLCache.shared`, which FoundationNetworking makes on first use with a folder it creates
    /// under the user's cache directory (`org.swift.foundation.URLCache/<program>`, named through
    /// `Bundle.main`): a folder nothing fills, since sessions here have no URL cache. A cache with no capacity takes its place first; its disk path cannot be
    /// a folder, so FoundationNetworking gives it no disk storage at all.
    private static let replaceSharedURLCache: Void = {
        URLCache.shared = URLCache(memoryCapacity: 0, diskCapacity: 0, diskPath: "/dev/null")
    }()

    private func makeSession(delegate: SessionDelegate) -> URLSession {
        HTTPClient.replaceSharedURLCache
        // `.default`, not `.ephemeral`: that one copies `.default` and then makes a second URLCache.
        let sessionConfiguration = URLSessionConfiguration.default
        sessionConfiguration.urlCache = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.httpCookieStorage = nil
        sessionConfiguration.httpShouldSetCookies = false
        sessionConfiguration.httpCookieAcceptPolicy = .never
        sessionConfiguration.urlCredentialStorage = nil
        let configuration = configuration
        sessionConfiguration.httpMaximumConnectionsPerHost = max(1, configuration.maxConnectionsPerHost)
        // swift-corelibs-foundation truncates these to whole seconds and races its own timer against
        // redirect callbacks, so they are only a generous backstop; the idle and total timeouts
        // are enforced by `perform` with a watchdog. Each request sets its own idle backstop; the
        // session's total one stays above any timeout `reconfigure` may set later.
        sessionConfiguration.timeoutIntervalForRequest = HTTPClient.backstopTimeout(configuration)
        sessionConfiguration.timeoutIntervalForResource = (HTTPClientConfiguration.longestTimeout + 5).rounded(.up)
        // A default OperationQueue can be starved by worker threads blocked waiting for callbacks.
        let delegateQueue = DelegateQueue(underlying: callbackQueue)
        return URLSession(configuration: sessionConfiguration, delegate: delegate, delegateQueue: delegateQueue)
    }

    /// Sends `request` (after retries and redirects) and returns the answer, whatever its status,
    /// except that a transient status (5xx, 429) still seen after the last attempt throws
    /// ``HTTPClientError/serverUnavailable(url:status:attempts:)``.
    ///
    /// - Parameters:
    ///   - bodyLimit: the most body bytes to read; a larger body (by `Content-Length` or as it
    ///     arrives) stops the transfer and returns with ``HTTPResponse/bodyIsComplete`` false.
    ///   - statistics: counts every request sent (retries and redirect hops included) and its bytes.
    ///   - bodySink: takes the body as it arrives instead of ``HTTPResponse/body`` (which stays
    ///     empty); ``HTTPResponse/bodyIsComplete`` is false when the sink stopped the transfer.
    public func send(
        _ request: HTTPRequest, cancellation: CancellationToken? = nil, bodyLimit: Int = Int.max,
        statistics: TransferStatistics? = nil, bodySink: (any HTTPBodySink)? = nil
    ) throws -> HTTPResponse {
        let configuration = configuration
        let (url, credentials) = URLCredentials.split(request.url)
        let display = URLCredentials.redacted(url)
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw HTTPClientError.unsupportedScheme(url: display)
        }
        var urlRequest = URLRequest(url: HTTPClient.lowercasingScheme(of: url))
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = HTTPClient.backstopTimeout(configuration)
        urlRequest.cachePolicy = .reloadIgnoringLocalCacheData
        urlRequest.setValue(configuration.userAgent, forHTTPHeaderField: "User-Agent")
        for (name, value) in request.headers.all { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if let credentials, request.headers["Authorization"] == nil {
            urlRequest.setValue(credentials.authorizationHeaderValue, forHTTPHeaderField: "Authorization")
        }
        let isolated = isolatesConnections(to: url)
        if isolated { urlRequest.setValue("close", forHTTPHeaderField: "Connection") }

        let policy = configuration.retry
        var attempt = 0
        while true {
            try cancellation.throwIfCancelled()
            attempt += 1
            let failure: HTTPClientError
            var retryAfter: (status: Int, seconds: Double)?
            do {
                let response = try perform(
                    urlRequest, request: request, display: display, configuration: configuration,
                    bodyLimit: bodyLimit, bodySink: bodySink, isolated: isolated, cancellation: cancellation,
                    statistics: statistics)
                if response.status == 401 || response.status == 407 {
                    // Repeating cannot help: the same credentials would be refused again.
                    throw HTTPClientError.authenticationRequired(
                        url: display, status: response.status,
                        realm: HTTPClient.realm(response.headers[response.status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate"]))
                }
                guard RetryPolicy.isTransient(status: response.status) else { return response }
                failure = .serverUnavailable(url: display, status: response.status, attempts: attempt)
                retryAfter = RetryPolicy.retryAfter(status: response.status, value: response.headers["Retry-After"])
                    .map { (response.status, $0) }
            } catch let error as AttemptFailure {
                failure = error.error(url: display, attempts: attempt, configuration: configuration)
                guard error.isRetryable else { throw failure }
            }
            guard attempt < policy.maxAttempts else { throw failure }
            if let retryAfter, retryAfter.seconds > policy.maxRetryAfter {
                throw HTTPClientError.retryAfterTooLong(
                    url: display, status: retryAfter.status, seconds: retryAfter.seconds, limit: policy.maxRetryAfter)
            }
            try pause(seconds: max(policy.delay(afterAttempt: attempt), retryAfter?.seconds ?? 0), cancellation: cancellation)
        }
    }

    /// The most a ``get(_:headers:cancellation:bodyLimit:statistics:)`` answer may hold by
    /// default: the largest project pages of public indexes are tens of MiB.
    public static let pageLimit = 64 << 20

    /// GETs `url` with extra `headers` (for example `Accept` or `If-None-Match`; a 304 is returned
    /// as it is). Content codings are accepted here (decoded by the URL loading system). An answer
    /// longer than `bodyLimit` throws ``HTTPClientError/answerTooLarge(url:limit:)`` once that much
    /// arrived, so a truncated page is never taken for the whole.
    public func get(
        _ url: URL, headers: HTTPHeaderFields = [:], cancellation: CancellationToken? = nil,
        bodyLimit: Int = HTTPClient.pageLimit, statistics: TransferStatistics? = nil
    ) throws -> HTTPResponse {
        let response = try send(
            HTTPRequest(url: url, headers: headers, rejectsContentEncoding: false), cancellation: cancellation,
            bodyLimit: bodyLimit, statistics: statistics)
        guard response.bodyIsComplete else {
            throw HTTPClientError.answerTooLarge(url: URLCredentials.redacted(url), limit: bodyLimit)
        }
        return response
    }

    /// A transport failure of one attempt, before it is worded for the user.
    private enum AttemptFailure: Error {
        /// No byte within the idle timeout.
        case timedOut
        /// Bytes kept arriving, too slowly to finish before the attempt deadline. Not repeated:
        /// the next attempt would take as long.
        case deadline(receivedBytes: Int64)
        case connection(reason: String)
        /// Not worth repeating (e.g. a TLS certificate problem).
        case permanent(reason: String)

        func error(url: String, attempts: Int, configuration: HTTPClientConfiguration) -> HTTPClientError {
            switch self {
            case .timedOut: return .timedOut(url: url, seconds: configuration.requestTimeout, attempts: attempts)
            case let .deadline(received):
                return .attemptDeadlineExceeded(
                    url: url, seconds: configuration.attemptDeadline, receivedBytes: received, attempts: attempts)
            case let .connection(reason), let .permanent(reason):
                return .connectionFailed(url: url, reason: reason, attempts: attempts)
            }
        }

        var isRetryable: Bool {
            switch self {
            case .permanent, .deadline: return false
            case .timedOut, .connection: return true
            }
        }
    }

    /// One attempt. Throws ``AttemptFailure`` for what may be retried, ``OperationCancelled`` or
    /// ``HTTPClientError`` for what may not.
    private func perform(
        _ urlRequest: URLRequest, request: HTTPRequest, display: String, configuration: HTTPClientConfiguration,
        bodyLimit: Int, bodySink: (any HTTPBodySink)?, isolated: Bool, cancellation: CancellationToken?,
        statistics: TransferStatistics?
    ) throws -> HTTPResponse {
        let (session, delegate) = isolated ? (singleUseSession, singleUseDelegate) : (session, delegate)
        let exchange = TaskExchange(
            request: urlRequest, bodyLimit: bodyLimit, bodySink: bodySink,
            rejectsContentEncoding: request.rejectsContentEncoding,
            maxRedirects: configuration.maxRedirects, cancelQueue: cancelQueue)
        let task = session.dataTask(with: urlRequest)
        delegate.register(exchange, for: task)
        let key = cancellation?.onCancel { exchange.cancel(task) }
        let watchdog = startWatchdog(exchange, task: task, configuration: configuration)
        task.resume()
        WorkerPool.blocking { exchange.done.wait() }
        watchdog.cancel()
        cancellation?.removeHandler(key)
        delegate.unregister(task)

        let result = exchange.result
        let hops = result.redirects - (result.stop == .tooManyRedirects ? 1 : 0)
        let isHead = request.method.uppercased() == "HEAD"
        statistics?.recordRequest(bytes: result.received, isHead: isHead)
        for _ in 0..<max(0, hops) { statistics?.recordRequest(bytes: 0, isHead: isHead) }

        if cancellation?.isCancelled == true { throw OperationCancelled() }
        switch result.stop {
        case .tooManyRedirects:
            throw HTTPClientError.tooManyRedirects(url: display, limit: configuration.maxRedirects)
        case let .redirectScheme(location):
            throw HTTPClientError.redirectToUnsupportedScheme(url: display, location: location)
        case let .authenticationRequired(status, realm):
            throw HTTPClientError.authenticationRequired(url: display, status: status, realm: realm)
        case .timedOut:
            throw AttemptFailure.timedOut
        case .deadline:
            throw AttemptFailure.deadline(receivedBytes: result.received)
        case .bodyLimit, .contentEncoding, nil:
            break
        }
        let stoppedEarly = result.stop == .bodyLimit || result.stop == .contentEncoding
        if let error = result.error, !stoppedEarly {
            let failingURL = (error as NSError).userInfo[NSURLErrorFailingURLErrorKey] as? URL ?? urlRequest.url!
            throw try HTTPClient.classify(error, url: failingURL, display: display)
        }
        guard let response = result.response else {
            throw AttemptFailure.connection(reason: "the server sent no HTTP response")
        }
        var headers = HTTPHeaderFields()
        for (name, value) in response.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        let finalURL = response.url.map { URLCredentials.split($0).url } ?? urlRequest.url!
        return HTTPResponse(
            status: response.statusCode, headers: headers, body: result.body, url: finalURL,
            bodyIsComplete: !stoppedEarly, redirects: max(0, hops))
    }

    /// `url` with its scheme in lower case: schemes are case-insensitive (RFC 3986 §3.1), but
    /// FoundationNetworking refuses `HTTP://` as an unsupported URL.
    static func lowercasingScheme(of url: URL) -> URL {
        guard let scheme = url.scheme, scheme != scheme.lowercased(),
              var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        else { return url }
        components.scheme = scheme.lowercased()
        return components.url ?? url
    }

    /// The URLSession's own timeout: whole seconds, above both configured timeouts.
    private static func backstopTimeout(_ configuration: HTTPClientConfiguration) -> Double {
        (max(configuration.requestTimeout, configuration.attemptDeadline) + 5).rounded(.up)
    }

    /// Cancels the attempt when no byte arrived for ``HTTPClientConfiguration/requestTimeout`` or
    /// it ran longer than ``HTTPClientConfiguration/attemptDeadline``.
    private func startWatchdog(
        _ exchange: TaskExchange, task: URLSessionTask, configuration: HTTPClientConfiguration
    ) -> any DispatchSourceTimer {
        let idleLimit = configuration.requestTimeout
        let deadline = configuration.attemptDeadline
        let started = DispatchTime.now()
        let interval = min(1, max(0.01, min(idleLimit, deadline) / 5))
        let timer = DispatchSource.makeTimerSource(queue: timerQueue)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler {
            let total = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            let stop: TaskExchange.Stop? = exchange.idleSeconds >= idleLimit ? .timedOut : total >= deadline ? .deadline : nil
            if let stop {
                exchange.markStopped(stop)
                exchange.cancel(task)
                timer.cancel()
            }
        }
        timer.resume()
        return timer
    }

    /// The `realm` parameter of a `WWW-Authenticate`/`Proxy-Authenticate` value (RFC 9110 §11.5).
    static func realm(_ challenge: String?) -> String? {
        guard let challenge, let start = challenge.range(of: "realm=", options: .caseInsensitive) else { return nil }
        let rest = challenge[start.upperBound...]
        if rest.hasPrefix("\"") { return rest.dropFirst().prefix { $0 != "\"" }.description }
        return rest.prefix { $0 != "," && $0 != " " }.description
    }

    /// Words a URL loading error without its URL (which could carry credentials). Errors that
    /// repeating cannot cure (TLS certificates, a proxy asking for credentials) are thrown as
    /// ``HTTPClientError`` at once.
    private static func classify(_ error: any Error, url: URL, display: String) throws -> AttemptFailure {
        // FoundationNetworking reports most libcurl failures (TLS ones among them) as
        // NSURLErrorUnknown, with libcurl's own words as the description.
        let detail = (error as NSError).localizedDescription
        let lowered = detail.lowercased()
        if lowered.contains("certificate") || lowered.contains("ssl peer") {
            throw HTTPClientError.certificateNotTrusted(host: url.host ?? display, detail: detail)
        }
        if lowered.contains("407") && (lowered.contains("proxy") || lowered.contains("connect")) {
            throw HTTPClientError.authenticationRequired(url: display, status: 407, realm: nil)
        }
        if lowered.contains("ssl") || lowered.contains("tls") {
            return .permanent(reason: "the TLS connection could not be established: \(detail)")
        }
        guard let urlError = error as? URLError else {
            return .connection(reason: "the transfer failed (\((error as NSError).domain) \((error as NSError).code))")
        }
        switch urlError.code {
        case .timedOut:
            return .timedOut
        case .cannotConnectToHost:
            return .connection(reason: "could not connect to the server")
        case .cannotFindHost, .dnsLookupFailed:
            return .connection(reason: "the host name could not be resolved")
        case .networkConnectionLost:
            return .connection(reason: "the connection was closed before the whole answer arrived")
        case .notConnectedToInternet:
            return .connection(reason: "the network is not reachable")
        case .badServerResponse, .cannotParseResponse:
            return .connection(reason: "the server sent a malformed HTTP answer")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
            .clientCertificateRequired:
            return .permanent(reason: "the TLS connection could not be established (certificate or protocol problem)")
        case .cancelled:
            return .connection(reason: "the transfer was cancelled by the URL loading system")
        default:
            let (reason, isRetryable) = TransferFailureWording.describe(urlError)
            return isRetryable ? .connection(reason: reason) : .permanent(reason: reason)
        }
    }

    /// Sleeps `seconds`, waking early and throwing when `cancellation` fires.
    private func pause(seconds: Double, cancellation: CancellationToken?) throws {
        guard seconds > 0 else { return }
        let wake = DispatchSemaphore(value: 0)
        let key = cancellation?.onCancel { wake.signal() }
        _ = WorkerPool.blocking { wake.wait(timeout: .now() + seconds) }
        cancellation?.removeHandler(key)
        try cancellation.throwIfCancelled()
    }
}
