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
///   `Authorization` is dropped as soon as the origin changes, and more than
///   ``HTTPClientConfiguration/maxRedirects`` hops is an error.
/// - Connection errors, timeouts, bodies cut short and 500/502/503/504/429 answers are retried with
///   exponential backoff (``RetryPolicy``).
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
    /// Runs timeout watchdogs and deferred cancels. A serial queue is served by libdispatch's
    /// overcommit threads, so it keeps running while every CPU-bound worker thread is blocked in
    /// a request (on a 2-CPU machine the global concurrent queue would starve).
    private let timerQueue = DispatchQueue(label: "lazywheel.http.timers")
    /// Runs the session's delegate callbacks, for the same reason; held here because
    /// `OperationQueue.underlyingQueue` does not retain it.
    private let callbackQueue = DispatchQueue(label: "lazywheel.http.delegate")

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        currentConfiguration = Locked(configuration)
    }

    /// Changes the settings of later requests: timeouts, retries, redirects and `User-Agent`
    /// (the connection limit is fixed when the first request makes the session).
    public func reconfigure(_ configuration: HTTPClientConfiguration) {
        currentConfiguration.withLock { $0 = configuration }
    }

    deinit {
        lazySession.withLock { $0?.invalidateAndCancel() }
    }

    private var session: URLSession {
        lazySession.withLock { session in
            if let session { return session }
            let made = makeSession()
            session = made
            return made
        }
    }

    /// Runs once, before the first session configuration. `URLSessionConfiguration.default` asks
    /// for `URLCache.shared`, which FoundationNetworking makes on first use with a folder it creates
    /// under the user's cache directory (`org.swift.foundation.URLCache/<program>`, named through
    /// `Bundle.main`): a folder nothing fills, since sessions here have no URL cache. A cache with no capacity takes its place first; its disk path cannot be
    /// a folder, so FoundationNetworking gives it no disk storage at all.
    private static let replaceSharedURLCache: Void = {
        URLCache.shared = URLCache(memoryCapacity: 0, diskCapacity: 0, diskPath: "/dev/null")
    }()

    private func makeSession() -> URLSession {
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
        let delegateQueue = OperationQueue()
        delegateQueue.maxConcurrentOperationCount = 1
        delegateQueue.underlyingQueue = callbackQueue
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
    public func send(
        _ request: HTTPRequest, cancellation: CancellationToken? = nil, bodyLimit: Int = Int.max,
        statistics: TransferStatistics? = nil
    ) throws -> HTTPResponse {
        let configuration = configuration
        let (url, credentials) = URLCredentials.split(request.url)
        let display = URLCredentials.redacted(url)
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw HTTPClientError.unsupportedScheme(url: display)
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = HTTPClient.backstopTimeout(configuration)
        urlRequest.cachePolicy = .reloadIgnoringLocalCacheData
        urlRequest.setValue(configuration.userAgent, forHTTPHeaderField: "User-Agent")
        for (name, value) in request.headers.all { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if let credentials, request.headers["Authorization"] == nil {
            urlRequest.setValue(credentials.authorizationHeaderValue, forHTTPHeaderField: "Authorization")
        }

        let policy = configuration.retry
        var attempt = 0
        while true {
            try cancellation.throwIfCancelled()
            attempt += 1
            let failure: HTTPClientError
            do {
                let response = try perform(
                    urlRequest, request: request, display: display, configuration: configuration,
                    bodyLimit: bodyLimit, cancellation: cancellation, statistics: statistics)
                guard RetryPolicy.isTransient(status: response.status) else { return response }
                failure = .serverUnavailable(url: display, status: response.status, attempts: attempt)
            } catch let error as AttemptFailure {
                failure = error.error(url: display, attempts: attempt, timeout: configuration.requestTimeout)
                guard error.isRetryable else { throw failure }
            }
            guard attempt < policy.maxAttempts else { throw failure }
            try pause(seconds: policy.delay(afterAttempt: attempt), cancellation: cancellation)
        }
    }

    /// GETs `url` with extra `headers` (for example `Accept` or `If-None-Match`; a 304 is returned
    /// as it is). Content codings are accepted here (decoded by the URL loading system).
    public func get(
        _ url: URL, headers: HTTPHeaderFields = [:], cancellation: CancellationToken? = nil,
        bodyLimit: Int = 256 << 20, statistics: TransferStatistics? = nil
    ) throws -> HTTPResponse {
        try send(
            HTTPRequest(url: url, headers: headers, rejectsContentEncoding: false), cancellation: cancellation,
            bodyLimit: bodyLimit, statistics: statistics)
    }

    /// A transport failure of one attempt, before it is worded for the user.
    private enum AttemptFailure: Error {
        case timedOut
        case connection(reason: String)
        /// Not worth repeating (e.g. a TLS certificate problem).
        case permanent(reason: String)

        func error(url: String, attempts: Int, timeout: Double) -> HTTPClientError {
            switch self {
            case .timedOut: return .timedOut(url: url, seconds: timeout, attempts: attempts)
            case let .connection(reason), let .permanent(reason):
                return .connectionFailed(url: url, reason: reason, attempts: attempts)
            }
        }

        var isRetryable: Bool {
            if case .permanent = self { return false }
            return true
        }
    }

    /// One attempt. Throws ``AttemptFailure`` for what may be retried, ``OperationCancelled`` or
    /// ``HTTPClientError`` for what may not.
    private func perform(
        _ urlRequest: URLRequest, request: HTTPRequest, display: String, configuration: HTTPClientConfiguration,
        bodyLimit: Int, cancellation: CancellationToken?, statistics: TransferStatistics?
    ) throws -> HTTPResponse {
        let exchange = TaskExchange(
            request: urlRequest, bodyLimit: bodyLimit, rejectsContentEncoding: request.rejectsContentEncoding,
            maxRedirects: configuration.maxRedirects, deferredCancelQueue: timerQueue)
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
        statistics?.recordRequest(bytes: Int64(result.body.count), isHead: isHead)
        for _ in 0..<max(0, hops) { statistics?.recordRequest(bytes: 0, isHead: isHead) }

        if cancellation?.isCancelled == true { throw OperationCancelled() }
        switch result.stop {
        case .tooManyRedirects:
            throw HTTPClientError.tooManyRedirects(url: display, limit: configuration.maxRedirects)
        case let .redirectScheme(location):
            throw HTTPClientError.redirectToUnsupportedScheme(url: display, location: location)
        case .timedOut:
            throw AttemptFailure.timedOut
        case .bodyLimit, .contentEncoding, nil:
            break
        }
        let stoppedEarly = result.stop == .bodyLimit || result.stop == .contentEncoding
        if let error = result.error, !stoppedEarly {
            throw HTTPClient.classify(error)
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

    /// The URLSession's own timeout: whole seconds, above both configured timeouts.
    private static func backstopTimeout(_ configuration: HTTPClientConfiguration) -> Double {
        (max(configuration.requestTimeout, configuration.resourceTimeout) + 5).rounded(.up)
    }

    /// Cancels the attempt when no byte arrived for ``HTTPClientConfiguration/requestTimeout`` or
    /// it ran longer than ``HTTPClientConfiguration/resourceTimeout``.
    private func startWatchdog(
        _ exchange: TaskExchange, task: URLSessionTask, configuration: HTTPClientConfiguration
    ) -> any DispatchSourceTimer {
        let idleLimit = configuration.requestTimeout
        let totalLimit = configuration.resourceTimeout
        let started = DispatchTime.now()
        let interval = min(1, max(0.01, idleLimit / 5))
        let timer = DispatchSource.makeTimerSource(queue: timerQueue)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler {
            let total = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            if exchange.idleSeconds >= idleLimit || total >= totalLimit {
                exchange.markTimedOut()
                exchange.cancel(task)
                timer.cancel()
            }
        }
        timer.resume()
        return timer
    }

    /// Words a URL loading error without its URL (which could carry credentials).
    private static func classify(_ error: any Error) -> AttemptFailure {
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
            return .connection(reason: "the transfer failed (URL error \(urlError.code.rawValue))")
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
