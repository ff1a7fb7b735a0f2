import Foundation
import WorkScheduling

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

    /// The longest `Retry-After` honoured, in seconds: a 429 or 503 asking for a longer wait
    /// fails at once, saying how long the server asked for.
    public var maxRetryAfter: Double

    public init(
        maxAttempts: Int = 4, initialDelay: Double = 0.25, multiplier: Double = 2, maxDelay: Double = 4,
        maxRetryAfter: Double = 60
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
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

    /// The seconds a 429 or 503 answer asks the client to wait (`Retry-After`, RFC 9110 §10.2.3,
    /// RFC 6585 §4): a number of seconds or an HTTP date; nil for other statuses or a value that
    /// is neither.
    public static func retryAfter(status: Int, value: String?, now: Date = Date()) -> Double? {
        guard status == 429 || status == 503, let text = value?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = UInt64(text) { return Double(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

/// Settings of an ``HTTPClient``.
public struct HTTPClientConfiguration: Sendable {
    /// Seconds without any byte arriving before a request times out.
    public var requestTimeout: Double
    /// Seconds one attempt may take in all, however steadily bytes arrive: a server trickling a
    /// byte now and then never trips the idle timeout, and would otherwise hold the request for
    /// as long as it likes.
    public var attemptDeadline: Double
    /// Connections kept open to one host at most.
    public var maxConnectionsPerHost: Int
    /// Redirects followed per request at most.
    public var maxRedirects: Int
    public var retry: RetryPolicy
    /// The `User-Agent` header.
    public var userAgent: String

    public init(
        requestTimeout: Double = 30,
        attemptDeadline: Double = 120,
        maxConnectionsPerHost: Int = 48,
        maxRedirects: Int = 10,
        retry: RetryPolicy = RetryPolicy(),
        userAgent: String = "lazywheel"
    ) {
        self.requestTimeout = requestTimeout
        self.attemptDeadline = attemptDeadline
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxRedirects = maxRedirects
        self.retry = retry
        self.userAgent = userAgent
    }
}

/// Why a timeout or retry count given by the user cannot be used.
public struct NetworkSettingError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

extension HTTPClientConfiguration {
    /// The longest idle timeout a user may set, in seconds (a day).
    public static let longestTimeout: Double = 86_400
    /// Environment variable with the idle timeout in seconds (like uv's `UV_HTTP_TIMEOUT`).
    public static let timeoutVariable = "LAZYWHEEL_HTTP_TIMEOUT"
    /// Environment variable with the number of retries after a failed attempt.
    public static let retriesVariable = "LAZYWHEEL_HTTP_RETRIES"
    /// Environment variable with the attempt deadline in seconds.
    public static let attemptDeadlineVariable = "LAZYWHEEL_HTTP_ATTEMPT_DEADLINE"

    /// The default configuration with the user's idle timeout, retry count and attempt deadline:
    /// the command-line flags win over ``timeoutVariable``, ``retriesVariable`` and
    /// ``attemptDeadlineVariable`` in `environment`.
    public static func userConfigured(
        timeout: Double? = nil, retries: Int? = nil, attemptDeadline: Double? = nil,
        environment: [String: String] = ProcessEnvironment.variables
    ) throws -> HTTPClientConfiguration {
        try HTTPClientConfiguration().applying(
            timeout: timeout ?? setting(timeoutVariable, in: environment, as: Double.self, meaning: "a number of seconds"),
            retries: retries ?? setting(retriesVariable, in: environment, as: Int.self, meaning: "a whole number"),
            attemptDeadline: attemptDeadline
                ?? setting(attemptDeadlineVariable, in: environment, as: Double.self, meaning: "a number of seconds"))
    }

    /// This configuration with an idle `timeout` in seconds (0 < timeout ≤ 86400), a number of
    /// `retries` after a failed attempt (0…100) and an `attemptDeadline` in seconds (0 < deadline
    /// ≤ 86400); nil leaves a setting as it is. An idle timeout longer than the attempt deadline
    /// raises the deadline too, unless the deadline is given as well.
    public func applying(
        timeout: Double?, retries: Int?, attemptDeadline: Double? = nil
    ) throws(NetworkSettingError) -> HTTPClientConfiguration {
        var configuration = self
        if let timeout {
            guard timeout.isFinite, timeout > 0, timeout <= Self.longestTimeout else {
                throw NetworkSettingError(description: "the HTTP timeout must be between 0 and \(Int(Self.longestTimeout)) seconds, not \(timeout)")
            }
            configuration.requestTimeout = timeout
            configuration.attemptDeadline = max(configuration.attemptDeadline, timeout)
        }
        if let attemptDeadline {
            guard attemptDeadline.isFinite, attemptDeadline > 0, attemptDeadline <= Self.longestTimeout else {
                throw NetworkSettingError(description: "the HTTP attempt deadline must be between 0 and \(Int(Self.longestTimeout)) seconds, not \(attemptDeadline)")
            }
            configuration.attemptDeadline = attemptDeadline
        }
        if let retries {
            guard (0...100).contains(retries) else {
                throw NetworkSettingError(description: "the number of HTTP retries must be between 0 and 100, not \(retries)")
            }
            configuration.retry.maxAttempts = retries + 1
        }
        return configuration
    }

    /// The value of `variable` in `environment` read as `T` (spaces around it ignored), nil when unset.
    private static func setting<T: LosslessStringConvertible>(
        _ variable: String, in environment: [String: String], as type: T.Type, meaning: String
    ) throws -> T? {
        guard let text = environment[variable] else { return nil }
        guard let value = T(text.trimmingCharacters(in: .whitespaces)) else {
            throw NetworkSettingError(description: "\(variable)=\(text) is not \(meaning)")
        }
        return value
    }
}
