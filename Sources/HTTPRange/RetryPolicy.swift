import Foundation

/// When and how often ``HTTPClient`` repeats a request: on connection errors, timeouts, a body cut
/// short, and the statuses RFC 9110 §15.6 / RFC 6585 §4 mark as transient (500, 502, 503, 504, 429),
/// waiting with exponential backoff between attempts.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (1 means no retry).
    public var maxAttempts: Int
    /// Seconds to wait before the second attempt.
    public var initialDelay: Double
    /// Each further wait is the previous one times this.
    public var multiplier: Double
    /// The longest wait, in seconds.
    public var maxDelay: Double

    public init(maxAttempts: Int = 4, initialDelay: Double = 0.25, multiplier: Double = 2, maxDelay: Double = 4) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
    }

    /// One attempt, no retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Seconds to wait after failed attempt number `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Double {
        min(maxDelay, initialDelay * pow(multiplier, Double(max(0, attempt - 1))))
    }

    /// Whether a response with `status` is worth repeating.
    public static func isTransient(status: Int) -> Bool {
        [429, 500, 502, 503, 504].contains(status)
    }
}

/// Settings of an ``HTTPClient``.
public struct HTTPClientConfiguration: Sendable {
    /// Seconds without any byte arriving before a request times out.
    public var requestTimeout: Double
    /// Seconds one attempt may take in all.
    public var resourceTimeout: Double
    /// Connections kept open to one host at most.
    public var maxConnectionsPerHost: Int
    /// Redirects followed per request at most.
    public var maxRedirects: Int
    public var retry: RetryPolicy
    /// The `User-Agent` header.
    public var userAgent: String

    public init(
        requestTimeout: Double = 30,
        resourceTimeout: Double = 300,
        maxConnectionsPerHost: Int = 16,
        maxRedirects: Int = 10,
        retry: RetryPolicy = RetryPolicy(),
        userAgent: String = "lazywheel"
    ) {
        self.requestTimeout = requestTimeout
        self.resourceTimeout = resourceTimeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxRedirects = maxRedirects
        self.retry = retry
        self.userAgent = userAgent
    }
}
