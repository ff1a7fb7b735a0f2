import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import WorkScheduling

/// An in-process HTTP/1.1 server (RFC 9112) for tests, on SwiftNIO, bound to 127.0.0.1 on an
/// ephemeral port.
///
/// It serves files registered in memory with the range semantics of RFC 9110 §14 (`bytes=a-b`,
/// `bytes=a-`, suffix `bytes=-N` → 206 with an exact `Content-Range`; unsatisfiable → 416
/// `bytes */N`), strong `ETag` and `Last-Modified` validators, `If-Range` (§13.1.5),
/// `If-None-Match` → 304 (§13.1.2), HEAD, 404 and keep-alive. Every request is logged with its header fields, status and body size so tests
/// assert request counts at the server, and ``ServerFaults`` switches make it misbehave the ways
/// real servers do. Thread-safe.
public final class TestHTTPServer: Sendable {
    private let state = Locked(ServerState())
    private let running = Locked<RunningServer?>(nil)

    private struct RunningServer: Sendable {
        var group: MultiThreadedEventLoopGroup
        var channel: any Channel
        var port: Int
    }

    public init() {}

    /// Starts listening and returns the base URL, `http://127.0.0.1:<port>`.
    @discardableResult
    public func start() throws -> URL {
        if let port = running.withLock({ $0?.port }) { return baseURL(port: port, host: "127.0.0.1") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let server = self
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(FileRequestHandler(server: server))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        do {
            let channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
            let port = channel.localAddress?.port ?? 0
            running.withLock { $0 = RunningServer(group: group, channel: channel, port: port) }
            return baseURL(port: port, host: "127.0.0.1")
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// Closes the listening socket and every connection, and stops the event loops.
    public func shutdown() throws {
        guard let server = running.withLock({ value -> RunningServer? in
            defer { value = nil }
            return value
        }) else { return }
        try? server.channel.close().wait()
        try server.group.syncShutdownGracefully()
    }

    /// The port, once started.
    public var port: Int? { running.withLock { $0?.port } }

    /// The URL of `path` on this server, reached through the host alias `host` (`127.0.0.1` or
    /// `localhost`), optionally with `user:password@` credentials.
    public func url(_ path: String, host: String = "127.0.0.1", user: String? = nil, password: String? = nil)
        -> URL
    {
        var components = URLComponents()
        components.scheme = "http"
        components.host = host
        components.port = port ?? 0
        components.percentEncodedPath = path.hasPrefix("/") ? path : "/" + path
        components.user = user
        components.password = password
        return components.url!
    }

    private func baseURL(port: Int, host: String) -> URL {
        URL(string: "http://\(host):\(port)")!
    }

    // MARK: Files

    /// Serves `data` at `path` (replacing any earlier version, which gives it a new `ETag` and
    /// `Last-Modified`).
    public func setFile(_ path: String, data: Data) {
        state.withLock { $0.setFile(Self.normalised(path), data: data) }
    }

    /// Stops serving `path` (it answers 404).
    public func removeFile(_ path: String) {
        _ = state.withLock { $0.files.removeValue(forKey: Self.normalised(path)) }
    }

    /// The current strong `ETag` of `path`, if served.
    public func etag(of path: String) -> String? {
        state.withLock { $0.files[Self.normalised(path)]?.etag }
    }

    // MARK: Faults

    /// Sets the faults for `path`, or for every path without its own faults when `path` is nil.
    /// Resets the fault's request counter (for ``ServerFaults/limit`` and
    /// ``ServerFaults/replaceAfterRequests``).
    public func setFaults(_ faults: ServerFaults, for path: String? = nil) {
        state.withLock { state in
            let entry = FaultEntry(faults: faults)
            if let path { state.faultsByPath[Self.normalised(path)] = entry } else { state.globalFaults = entry }
        }
    }

    /// Removes every fault (per path and global).
    public func clearFaults() {
        state.withLock { state in
            state.faultsByPath.removeAll()
            state.globalFaults = nil
        }
    }

    // MARK: Log

    /// Every request received so far, oldest first.
    public var requests: [RecordedRequest] { state.withLock { $0.log } }

    /// The requests received for `path`.
    public func requests(for path: String) -> [RecordedRequest] {
        let path = Self.normalised(path)
        return state.withLock { $0.log.filter { $0.path == path } }
    }

    /// Forgets the request log.
    public func clearLog() {
        state.withLock { $0.log.removeAll() }
    }

    /// Connections accepted so far.
    public var connectionsOpened: Int { state.withLock { $0.connectionsOpened } }

    /// Connections that have been closed (by either side) so far.
    public var connectionsClosed: Int { state.withLock { $0.connectionsClosed } }

    // MARK: Used by the channel handler

    func connectionOpened() { state.withLock { $0.connectionsOpened += 1 } }

    func connectionClosed() { state.withLock { $0.connectionsClosed += 1 } }

    func plan(method: String, uri: String, headers: [RecordedRequest.HeaderField]) -> ResponsePlan {
        let port = self.port ?? 0
        return state.withLock { $0.plan(method: method, uri: uri, headers: headers, port: port) }
    }

    private static func normalised(_ path: String) -> String {
        path.hasPrefix("/") ? path : "/" + path
    }
}

/// Faults set for a path (or globally) and how many requests they have seen.
struct FaultEntry: Sendable {
    var faults: ServerFaults
    var served = 0
    var replaced = false
}

/// Everything the server knows, guarded by its mutex.
struct ServerState: Sendable {
    var files: [String: ServedFile] = [:]
    var generation = 0
    var faultsByPath: [String: FaultEntry] = [:]
    var globalFaults: FaultEntry?
    var log: [RecordedRequest] = []
    var connectionsOpened = 0
    var connectionsClosed = 0

    mutating func setFile(_ path: String, data: Data) {
        generation += 1
        files[path] = ServedFile(data: data, generation: generation)
    }

    /// Decides the answer to one request, applying faults, and logs it.
    mutating func plan(
        method: String, uri: String, headers: [RecordedRequest.HeaderField], port: Int
    ) -> ResponsePlan {
        let path = String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        let faults = activeFaults(for: path)
        var plan = answer(method: method, path: path, headers: headers, faults: faults, port: port)
        plan.delayBeforeHeaders = faults.delay + faults.stallBeforeHeaders
        if plan.isHead { plan.bodyFault = nil }
        let request = RecordedRequest.init(
            method: method, path: path, uri: uri, headers: headers, status: plan.status,
            bodyBytes: plan.isHead ? 0 : plan.body.count)
        log.append(request)
        return plan
    }

    /// The faults that apply to this request; counts it and performs a due file replacement.
    private mutating func activeFaults(for path: String) -> ServerFaults {
        func use(_ entry: inout FaultEntry) -> ServerFaults {
            entry.served += 1
            if let after = entry.faults.replaceAfterRequests, entry.served > after, !entry.replaced,
                let replacement = entry.faults.replacement
            {
                entry.replaced = true
                generation += 1
                files[path] = ServedFile(data: replacement, generation: generation)
            }
            if let limit = entry.faults.limit, entry.served > limit {
                var healed = ServerFaults()
                healed.replaceAfterRequests = entry.faults.replaceAfterRequests
                return healed
            }
            return entry.faults
        }
        if var entry = faultsByPath[path] {
            let faults = use(&entry)
            faultsByPath[path] = entry
            return faults
        }
        if var entry = globalFaults {
            let faults = use(&entry)
            globalFaults = entry
            return faults
        }
        return ServerFaults()
    }

    private func answer(
        method: String, path: String, headers: [RecordedRequest.HeaderField], faults: ServerFaults, port: Int
    ) -> ResponsePlan {
        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        let isHead = method == "HEAD"
        func text(_ status: Int, _ message: String, _ extra: [(String, String)] = []) -> ResponsePlan {
            let body = Data((message + "\n").utf8)
            return ResponsePlan(
                status: status,
                headers: [("Content-Type", "text/plain"), ("Content-Length", String(body.count))] + extra,
                body: body, isHead: isHead, delayBeforeHeaders: 0, bodyFault: nil)
        }
        guard method == "GET" || isHead else { return text(405, "method not allowed", [("Allow", "GET, HEAD")]) }
        if let status = faults.status { return text(status, "injected failure \(status)") }
        if let redirect = faults.redirect {
            let location: String
            switch redirect {
            case let .path(target): location = target
            case let .host(host, target): location = "http://\(host):\(port)\(target)"
            case .loop: location = path
            }
            return text(faults.redirectStatus, "moved", [("Location", location)])
        }
        guard let file = files[path] else { return text(404, "not found") }
        let size = Int64(file.data.count)

        var validators: [(String, String)] = []
        if !faults.omitETag { validators.append(("ETag", faults.weakETag ? "W/" + file.etag : file.etag)) }
        if !faults.omitLastModified { validators.append(("Last-Modified", file.lastModified)) }
        validators.append(("Accept-Ranges", "bytes"))

        // RFC 9110 §13.1.2: a matching If-None-Match on GET/HEAD is answered 304 without a body.
        if let ifNoneMatch = header("If-None-Match"), !faults.omitETag {
            let tags = ifNoneMatch.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "")
            }
            if tags.contains("*") || tags.contains(file.etag) {
                return ResponsePlan(
                    status: 304, headers: validators, body: Data(), isHead: isHead, delayBeforeHeaders: 0,
                    bodyFault: nil)
            }
        }

        func whole() -> ResponsePlan {
            ResponsePlan(
                status: 200,
                headers: [("Content-Type", "application/octet-stream"), ("Content-Length", String(size))]
                    + validators,
                body: file.data, isHead: isHead, delayBeforeHeaders: 0, bodyFault: faults.body)
        }

        guard !faults.ignoreRange, var requested = RequestedRange(header: header("Range")) else { return whole() }
        if let ifRange = header("If-Range") {
            // RFC 9110 §13.1.5: a strong ETag comparison, or an exact date match.
            let matches = (ifRange == file.etag && !faults.weakETag) || ifRange == file.lastModified
            if !matches { return whole() }
        }
        if case let .suffix(length) = requested, let fault = faults.suffixRanges {
            switch fault {
            case let .refuse(status): return text(status, "suffix byte ranges are not supported")
            case .answerFromStart: requested = .bounded(first: 0, last: max(0, length - 1))
            }
        }
        guard let satisfied = requested.resolve(size: size) else {
            return text(416, "range not satisfiable", [("Content-Range", "bytes */\(size)")] + validators)
        }
        var first = satisfied.lowerBound
        var last = satisfied.upperBound
        var total = size
        switch faults.contentRangeLie {
        case let .start(delta): first += delta
        case let .end(delta): last += delta
        case let .total(delta): total += delta
        case nil: break
        }
        let body = file.data.subdata(in: Int(satisfied.lowerBound)..<Int(satisfied.upperBound + 1))
        var headers: [(String, String)] = [
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", String(body.count)),
            ("Content-Range", "bytes \(first)-\(last)/\(total)"),
        ]
        if faults.gzipRangeResponses { headers.append(("Content-Encoding", "gzip")) }
        return ResponsePlan(
            status: 206, headers: headers + validators, body: body, isHead: isHead, delayBeforeHeaders: 0,
            bodyFault: faults.body)
    }
}
