import Foundation
import HTTPRange
import JSONRPC
import LazyWheelCore
import LazyZip
import PackageIndex
import PackagingStandards
import WorkScheduling

/// The state of one `lazywheel serve` session: the engine, the open wheels and the options the
/// client chose in `initialize`.
final class ServerSession: Sendable {
    /// The lazy wheel engine (HTTP client, host capabilities, statistics).
    let engine: WheelEngine
    /// Open handles and cached wheels.
    let wheels = WheelHandleTable()
    /// Memory held by large replies being built and written, within the memory budget.
    let replyMemory = ReplyMemoryBudget()
    /// Where requests needing I/O run; bounded so a flood of slow fetches cannot exhaust threads.
    let requestPool: WorkerPool
    /// Options after `initialize` (command-line defaults overridden by `initializationOptions`).
    private let currentOptions: Locked<ServerOptions>
    private let logSink: Locked<LogSink>
    /// Sends a notification to the client.
    let notify: @Sendable (NotificationMessage) -> Void
    /// Open editor documents and their dependency lookups (LanguageServer/).
    let languageServer = LanguageServerState()
    /// The package index, set up at first use from the options and the environment.
    private let index = Locked<ProjectIndex?>(nil)
    /// Environment variables and home directory the index configuration is read from.
    let environment: ConfigurationEnvironment

    init(engine: WheelEngine, options: ServerOptions, requestPoolWidth: Int = 32, log: LogSink,
         environment: ConfigurationEnvironment = .process(),
         notify: @escaping @Sendable (NotificationMessage) -> Void) {
        self.engine = engine
        self.environment = environment
        // Requests from an editor: a hover must not queue behind two long reads or resolutions,
        // so more of them than CPUs may run at once (the OS shares the CPUs); the threads live
        // as long as the server, so starting them is paid once.
        self.requestPool = WorkerPool(label: "lazywheel.requests", width: requestPoolWidth, parallelism: 8)
        self.currentOptions = Locked(options)
        self.logSink = Locked(log)
        self.notify = notify
    }

    var options: ServerOptions { currentOptions.withLock { $0 } }

    /// Applies the client's `initializationOptions` over the command-line defaults.
    func configure(with client: ServerOptions?) throws {
        guard let client else { return }
        if client.httpTimeout != nil || client.httpRetries != nil || client.httpAttemptDeadline != nil {
            do {
                engine.client.reconfigure(
                    try engine.client.configuration.applying(
                        timeout: client.httpTimeout, retries: client.httpRetries,
                        attemptDeadline: client.httpAttemptDeadline))
            } catch {
                throw ResponseError(code: .invalidParams, message: "initializationOptions: \(error)")
            }
        }
        if client.cert != nil || client.clientCert != nil || client.trustedHosts != nil || client.proxy != nil {
            var merged = options
            merged.cert = client.cert ?? merged.cert
            merged.clientCert = client.clientCert ?? merged.clientCert
            merged.trustedHosts = client.trustedHosts ?? merged.trustedHosts
            merged.proxy = client.proxy ?? merged.proxy
            do {
                try TransportConfiguration.resolve(options: merged.transportOptions, environment: environment).settings.apply()
            } catch {
                throw ResponseError(code: .invalidParams, message: "initializationOptions: \(error)")
            }
        }
        if let logFile = client.logFile {
            let file: LogSink
            do {
                file = try LogSink.appending(toFile: logFile)
            } catch {
                throw ResponseError(code: .invalidParams, message: "initializationOptions.logFile: \(error)")
            }
            // Every holder of the session's sink (the connection too) writes to the file from now on.
            logSink.withLock { $0 }.redirect(to: file)
        }
        currentOptions.withLock { options in
            if let value = client.memoryBudgetBytes { options.memoryBudgetBytes = max(0, value) }
            if let value = client.allowFileURLs { options.allowFileURLs = value }
            if let value = client.indexUrl { options.indexUrl = value }
            if let value = client.extraIndexUrls { options.extraIndexUrls = value }
            if let value = client.findLinks { options.findLinks = value }
            if let value = client.python { options.python = value }
            if let value = client.platform { options.platform = value }
            if let value = client.maxReadBytes { options.maxReadBytes = max(1, value) }
            if let value = client.logFile { options.logFile = value }
            if let value = client.httpTimeout { options.httpTimeout = value }
            if let value = client.httpRetries { options.httpRetries = value }
            if let value = client.cert { options.cert = value }
            if let value = client.clientCert { options.clientCert = value }
            if let value = client.trustedHosts { options.trustedHosts = value }
            if let value = client.proxy { options.proxy = value }
            if let value = client.keyringProvider { options.keyringProvider = value }
            if let value = client.httpAttemptDeadline { options.httpAttemptDeadline = value }
        }
        index.withLock { $0 = nil }
    }

    /// The package index of this session (configured by `indexUrl`/`extraIndexUrls`/`findLinks`,
    /// else the environment and pip/uv configuration files).
    func projectIndex() throws -> ProjectIndex {
        if let index = index.withLock({ $0 }) { return index }
        let options = options
        var indexOptions = IndexOptions(
            indexURL: options.indexUrl, extraIndexURLs: options.extraIndexUrls ?? [],
            findLinks: options.findLinks ?? [], allowsLocalLocations: options.allowFileURLs ?? false)
        indexOptions.keyringProvider = options.keyringProvider
        let created = try ProjectIndex(engine: engine, options: indexOptions, environment: environment)
        return index.withLock { current in
            if let current { return current }
            current = created
            return created
        }
    }

    /// The target of lookups: request values, else the session's, else the host.
    func target(python: String?, platform: String?) throws -> LookupTarget {
        let options = options
        return try LookupTarget.resolve(python: python ?? options.python, platform: platform ?? options.platform)
    }

    func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        let sink = logSink.withLock { $0 }
        sink.log(level, message())
    }

    var memoryBudget: Int64 { options.memoryBudgetBytes ?? ServerOptions.defaultMemoryBudget }
    /// What the interval caches may hold: the memory budget less what replies in progress hold.
    var cacheBudget: Int64 { max(0, memoryBudget - replyMemory.reservedBytes) }
    var maxReadBytes: Int64 { options.maxReadBytes ?? ServerOptions.defaultMaxReadBytes }

    /// Parses a location the client sent, honouring `allowFileURLs`.
    func location(_ text: String) throws -> WheelLocation {
        try WheelLocation(parsing: text, allowFiles: options.allowFileURLs ?? false)
    }

    /// The session's wheel for `location`: the cached one (no request), else opened now.
    func wheel(at location: WheelLocation, headers: [String: String], cancellation: CancellationToken,
               progress: ProgressReporter) throws -> SessionWheel {
        let key = WheelKey(location: location, headers: headers)
        if let cached = wheels.wheel(for: key) { return cached }
        progress.report("reading the central directory of \(location.filename)")
        let opened = try engine.open(location, headers: headers, cancellation: cancellation)
        let wheel = wheels.insert(SessionWheel(key: key, opened: opened))
        wheels.enforce(budget: cacheBudget, after: wheel)
        return wheel
    }

    /// The wheel's parsed METADATA: from memory, else read (at most one request) and kept.
    func metadata(of wheel: SessionWheel, cancellation: CancellationToken) throws -> CoreMetadata {
        if let metadata = wheel.metadata { return metadata }
        let metadata = try engine.metadata(of: wheel.opened, cancellation: cancellation)
        try wheel.remember(metadata)
        wheels.enforce(budget: cacheBudget, after: wheel)
        return metadata
    }

    /// Refuses reads larger than the session allows.
    func checkReadSize(_ length: Int64, what: String) throws {
        guard length <= maxReadBytes else {
            throw ResponseError(
                code: ServerErrorCode.limitExceeded,
                message: "\(what) of \(length) bytes exceeds this session's limit of \(maxReadBytes) bytes; read it in parts or raise maxReadBytes in initialize")
        }
    }
}
