import Foundation
import LazyZip
import WorkScheduling

/// A ``ByteSource`` for one HTTP(S) URL, read with byte-range requests (RFC 9110 §14) and never a
/// HEAD: ``readTail(length:cancellation:)`` sends a suffix range `bytes=-N` and learns the size
/// from `Content-Range`; ``read(_:cancellation:)`` sends `bytes=a-b`.
///
/// Every answer is checked strictly: a 206 must carry exactly the range asked for and exactly that
/// many bytes, without a content coding. The first answer's strong `ETag` (else `Last-Modified`) is
/// sent as `If-Range` (§13.1.5) with every later request, and a changed validator or a 200 to an
/// `If-Range` request is ``HTTPRangeError/fileChanged(url:detail:)``, so bytes of two versions are
/// never mixed. A host that refuses suffix ranges is read with bounded ranges instead, and
/// remembered in ``HostCapabilities``.
///
/// A server that ignores `Range` and answers `200` with the whole file is tolerated: a body up to
/// `wholeFileLimit` is kept from that answer; a larger one makes the host remembered as ignoring
/// ranges and the read fail with ``HTTPRangeError/rangeIgnored(url:size:)``, after which a
/// ``LazyWheel`` reads the file front to back (``streamMetadata(_:cancellation:)``). Every later
/// read is served from the downloaded file.
///
/// Thread-safe: reads from several worker threads run in parallel, one request each.
public final class HTTPRangeSource: WholeFileSource {
    public let displayName: String
    private let url: URL
    private let client: HTTPClient
    private let capabilities: HostCapabilities
    private let statistics: TransferStatistics
    private let wholeFileLimit: Int
    /// Extra headers sent with every request (e.g. `Authorization` from a client).
    private let extraHeaders: HTTPHeaderFields
    private let state: Locked<State>

    private struct State {
        var totalSize: Int64?
        var etag: String?
        var lastModified: String?
        var wholeFile: DownloadedFile?
        /// Where the URL redirected to (a presigned object-storage URL, say): later ranges go
        /// straight there, one hop fewer each.
        var redirectedURL: URL?
    }

    /// - Parameters:
    ///   - url: the file; userinfo credentials are sent as Basic authorization, never shown.
    ///   - knownSize: the size, when the caller already knows it (it is still checked).
    ///   - wholeFileLimit: the largest whole-file 200 answer kept instead of failing.
    public init(
        url: URL, client: HTTPClient, capabilities: HostCapabilities = HostCapabilities(),
        statistics: TransferStatistics = TransferStatistics(), knownSize: Int64? = nil,
        wholeFileLimit: Int = 1 << 20, headers: HTTPHeaderFields = [:]
    ) {
        self.extraHeaders = headers
        self.url = url
        self.displayName = URLCredentials.redacted(url)
        self.client = client
        self.capabilities = capabilities
        self.statistics = statistics
        self.wholeFileLimit = wholeFileLimit
        self.state = Locked(State(totalSize: knownSize))
    }

    /// The file's size, once known.
    public var totalSize: Int64? { state.withLock { $0.totalSize } }

    /// The validator sent as `If-Range`: the strong ETag, else the Last-Modified date.
    public var validator: String? { state.withLock { Self.ifRangeValue($0) } }

    // MARK: ByteSource

    public func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        switch try againOnAFreshConnection({ try readTailOnce(length: length, scanner: nil, cancellation: cancellation) }) {
        case let .tail(read): return read
        case .metadata: preconditionFailure("METADATA found without a scanner")
        }
    }

    public func readTail(length: Int, streaming scanner: LocalHeaderScanner, cancellation: CancellationToken?) throws -> TailOrMetadata {
        try againOnAFreshConnection { try readTailOnce(length: length, scanner: scanner, cancellation: cancellation) }
    }

    public func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data {
        try againOnAFreshConnection { try readOnce(range, cancellation: cancellation) }
    }

    /// `read()`, and once more when its answer contradicted the file read so far, after telling
    /// the client to give this host a connection per request: bytes a server sent after an
    /// earlier body are taken by libcurl as the next answer on the same connection
    /// (``HTTPClient/isolateConnections(to:)``). A second contradiction is the server's own.
    private func againOnAFreshConnection<T>(_ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch let error as HTTPRangeError where error.mayComeFromAReusedConnection && !client.isolatesConnections(to: url) {
            client.isolateConnections(to: url)
            return try read()
        }
    }

    /// The tail; with a `scanner`, a whole-file answer is streamed through it (``TailAnswerSink``).
    private func readTailOnce(length: Int, scanner: LocalHeaderScanner?, cancellation: CancellationToken?) throws -> TailOrMetadata {
        precondition(length > 0, "a tail read needs a positive length")
        if let whole = state.withLock({ $0.wholeFile }) {
            let start = max(0, whole.size - Int64(length))
            return .tail(TailRead(totalSize: whole.size, offset: start, bytes: try whole.read(start ..< whole.size)))
        }
        if capabilities.capabilities(for: url).refusesSuffixRanges || totalSize != nil {
            return .tail(try boundedTail(length: length, cancellation: cancellation))
        }
        let requested = "bytes=-\(length)"
        let bodyLimit = max(length, wholeFileLimit)
        // Only a first request (no validator yet) may take a whole file: a 200 to `If-Range` is a change.
        let sink = scanner.flatMap { scanner in
            state.withLock { Self.ifRangeValue($0) } == nil
                ? TailAnswerSink(download: WholeFileDownload(url: displayName, scanner: scanner), limit: bodyLimit) : nil
        }
        let response: HTTPResponse
        do {
            response = try fetch(requested, bodyLimit: bodyLimit, sink: sink, cancellation: cancellation)
        } catch HTTPClientError.serverUnavailable(_, 500, _) {
            return .tail(try boundedTailAfterRefusal(length: length, cancellation: cancellation))
        }
        switch response.status {
        case 206:
            let contentRange = try parsedContentRange(response, requested: requested)
            guard let total = contentRange.completeLength, let sent = contentRange.range else {
                throw HTTPRangeError.invalidContentRange(
                    url: displayName, requested: requested, received: response.headers["Content-Range"])
            }
            let expected = max(0, total - Int64(length))...(total - 1)
            if sent == expected {
                let bytes = try checkedBody(response, range: sent, total: total)
                return .tail(TailRead(totalSize: total, offset: sent.lowerBound, bytes: bytes))
            }
            if sent.lowerBound == 0, sent.upperBound == Int64(length) - 1, total > Int64(length) {
                // Read as `bytes=0-(N-1)`: the size is learned, now ask for the real tail.
                try record(response, total: total)
                return .tail(try boundedTailAfterRefusal(length: length, cancellation: cancellation))
            }
            throw HTTPRangeError.invalidContentRange(
                url: displayName, requested: requested, received: response.headers["Content-Range"])
        case 200:
            if let sink, sink.isWholeFile { return try keepStreamedFile(sink.download, response, tailLength: length) }
            let whole = try keepWholeFile(response)
            return .tail(TailRead(totalSize: whole.size, offset: 0, bytes: try whole.read(0 ..< whole.size)))
        case 416:
            throw unsatisfiable(response, requested: requested)
        case 400, 404, 405, 501:
            return .tail(try boundedTailAfterRefusal(length: length, cancellation: cancellation))
        default:
            throw HTTPRangeError.unexpectedStatus(url: displayName, status: response.status)
        }
    }

    private func readOnce(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data {
        guard !range.isEmpty else { return Data() }
        let snapshot = state.withLock { ($0.wholeFile, $0.totalSize) }
        if let total = snapshot.1, range.upperBound > total || range.lowerBound < 0 {
            throw HTTPRangeError.outOfBounds(url: displayName, requested: range, size: total)
        }
        if let whole = snapshot.0 {
            guard range.upperBound <= whole.size else {
                throw HTTPRangeError.outOfBounds(url: displayName, requested: range, size: whole.size)
            }
            return try whole.read(range)
        }
        return try fetchBounded(range.lowerBound...(range.upperBound - 1), cancellation: cancellation)
    }

    // MARK: Bounded ranges

    /// The tail after the host refused a suffix range: remembers that once the bounded request works.
    private func boundedTailAfterRefusal(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        let tail = try boundedTail(length: length, cancellation: cancellation)
        capabilities.recordRefusesSuffixRanges(url)
        return tail
    }

    /// The tail with `bytes=a-b` requests: a one-byte probe first when the size is unknown.
    private func boundedTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        var total = totalSize
        if total == nil {
            let probe = try fetchBounded(0...0, cancellation: cancellation)
            if let whole = state.withLock({ $0.wholeFile }) {
                return TailRead(totalSize: whole.size, offset: 0, bytes: try whole.read(0 ..< whole.size))
            }
            total = totalSize
            if total == 1 { return TailRead(totalSize: 1, offset: 0, bytes: probe) }
        }
        guard let total, total > 0 else { throw HTTPRangeError.emptyFile(url: displayName) }
        let start = max(0, total - Int64(length))
        let bytes = try fetchBounded(start...(total - 1), cancellation: cancellation)
        return TailRead(totalSize: total, offset: start, bytes: bytes)
    }

    /// Exactly the bytes `range` (inclusive), validated.
    private func fetchBounded(_ range: ClosedRange<Int64>, cancellation: CancellationToken?) throws -> Data {
        let requested = "bytes=\(range.lowerBound)-\(range.upperBound)"
        let count = range.upperBound - range.lowerBound + 1
        let limit = count > Int64(wholeFileLimit) ? Int(clamping: count) : wholeFileLimit
        let response = try fetch(requested, bodyLimit: limit, cancellation: cancellation)
        switch response.status {
        case 206:
            let contentRange = try parsedContentRange(response, requested: requested)
            guard let sent = contentRange.range, let total = contentRange.completeLength else {
                throw HTTPRangeError.invalidContentRange(
                    url: displayName, requested: requested, received: response.headers["Content-Range"])
            }
            guard sent == range else {
                if sent.lowerBound == range.lowerBound, sent.upperBound == total - 1, total - 1 < range.upperBound {
                    throw HTTPRangeError.outOfBounds(
                        url: displayName, requested: range.lowerBound..<(range.upperBound + 1), size: total)
                }
                throw HTTPRangeError.invalidContentRange(
                    url: displayName, requested: requested, received: response.headers["Content-Range"])
            }
            return try checkedBody(response, range: sent, total: total)
        case 200:
            let whole = try keepWholeFile(response)
            guard range.upperBound < whole.size else {
                throw HTTPRangeError.outOfBounds(
                    url: displayName, requested: range.lowerBound..<(range.upperBound + 1), size: whole.size)
            }
            return try whole.read(range.lowerBound ..< range.upperBound + 1)
        case 416:
            throw unsatisfiable(response, requested: requested)
        default:
            throw HTTPRangeError.unexpectedStatus(url: displayName, status: response.status)
        }
    }

    // MARK: One request and its checks

    /// Sends one GET with `Range: requested` and, once a validator is known, `If-Range`: to the
    /// URL the first answer was redirected to, if it was, and from the start again (once) when
    /// that URL stopped working (an expired presigned URL answers 403).
    /// With a `sink`, the body goes to it; an answer it does not stream whole is handed back with
    /// the body it collected, as without one.
    private func fetch(
        _ requested: String, bodyLimit: Int, sink: TailAnswerSink? = nil, cancellation: CancellationToken?
    ) throws -> HTTPResponse {
        let ifRange = state.withLock { Self.ifRangeValue($0) }
        func send(to target: URL) throws -> HTTPResponse {
            // The client's headers go to its own origin only (as on a cross-origin redirect).
            var headers = target.origin == url.origin ? extraHeaders : HTTPHeaderFields()
            headers["Range"] = requested
            if let ifRange { headers["If-Range"] = ifRange }
            var response = try client.send(
                HTTPRequest(url: target, headers: headers), cancellation: cancellation, bodyLimit: bodyLimit,
                statistics: statistics, bodySink: sink)
            if let sink, !sink.isWholeFile {
                let (body, complete) = sink.collected
                response.body = body
                response.bodyIsComplete = response.bodyIsComplete && complete
            }
            return response
        }
        var response: HTTPResponse
        if let redirected = state.withLock({ $0.redirectedURL }) {
            do {
                response = try send(to: redirected)
            } catch let error as HTTPClientError where error.isUnauthorized {
                response = HTTPResponse(status: 401, headers: [:], body: Data(), url: redirected)
            }
            if response.status == 403 || response.status == 401 || response.status == 404 || response.status == 410 {
                state.withLock { $0.redirectedURL = nil }
                response = try send(to: url)
            }
        } else {
            response = try send(to: url)
        }
        if response.redirects > 0, response.url.origin != url.origin, response.status == 206 || response.status == 200 {
            let final = response.url
            state.withLock { $0.redirectedURL = final }
        }
        if let encoding = response.contentEncoding, encoding != "identity", !encoding.isEmpty {
            throw HTTPRangeError.contentEncoded(url: displayName, encoding: encoding)
        }
        if response.contentLength == nil, !response.bodyIsComplete, response.status == 200 || response.status == 206 {
            throw HTTPRangeError.unknownLength(url: displayName, status: response.status)
        }
        if response.status == 200, ifRange != nil {
            throw HTTPRangeError.fileChanged(
                url: displayName, detail: "the server answered If-Range \(ifRange ?? "") with the whole file")
        }
        return response
    }

    private static func ifRangeValue(_ state: State) -> String? {
        if let etag = state.etag, !etag.hasPrefix("W/") { return etag }
        return state.lastModified
    }

    private func parsedContentRange(_ response: HTTPResponse, requested: String) throws -> ContentRange {
        guard let header = response.headers["Content-Range"], let parsed = ContentRange(header) else {
            throw HTTPRangeError.invalidContentRange(
                url: displayName, requested: requested, received: response.headers["Content-Range"])
        }
        return parsed
    }

    /// The body of a 206 for `range` of a `total`-byte file, after checking its length and the
    /// file's identity.
    private func checkedBody(_ response: HTTPResponse, range: ClosedRange<Int64>, total: Int64) throws -> Data {
        let expected = range.upperBound - range.lowerBound + 1
        guard response.bodyIsComplete, Int64(response.body.count) == expected else {
            throw HTTPRangeError.wrongBodyLength(url: displayName, expected: expected, received: response.body.count)
        }
        try record(response, total: total)
        return response.body
    }

    /// Checks the answer belongs to the version read so far (ETag, Last-Modified, size), and
    /// remembers its validators and size when they are the first seen.
    private func record(_ response: HTTPResponse, total: Int64) throws {
        let etag = response.headers["ETag"]
        let lastModified = response.headers["Last-Modified"]
        let change: String? = state.withLock { state in
            if let known = state.etag, let etag, known != etag {
                return "its ETag changed from \(known) to \(etag)"
            }
            if let known = state.lastModified, let lastModified, known != lastModified {
                return "its Last-Modified changed from \(known) to \(lastModified)"
            }
            if let known = state.totalSize, known != total {
                return "its size changed from \(known) to \(total) bytes"
            }
            state.etag = state.etag ?? etag
            state.lastModified = state.lastModified ?? lastModified
            state.totalSize = total
            return nil
        }
        if let change { throw HTTPRangeError.fileChanged(url: displayName, detail: change) }
    }

    /// A 200 answer (Range ignored): the whole file when it is small enough, else an error.
    /// Either way the host is remembered as one that ignores ranges.
    private func keepWholeFile(_ response: HTTPResponse) throws -> DownloadedFile {
        if let known = totalSize, let length = response.contentLength, length != known {
            throw HTTPRangeError.fileChanged(url: displayName, detail: "its size changed from \(known) to \(length) bytes")
        }
        capabilities.recordIgnoresRange(url)
        guard response.bodyIsComplete, response.body.count <= wholeFileLimit else {
            throw HTTPRangeError.rangeIgnored(url: displayName, size: response.contentLength)
        }
        if let length = response.contentLength, length != Int64(response.body.count) {
            throw HTTPRangeError.wrongBodyLength(url: displayName, expected: length, received: response.body.count)
        }
        try record(response, total: Int64(response.body.count))
        let whole = try DownloadedFile(response.body)
        return state.withLock { state in
            if state.wholeFile == nil { state.wholeFile = whole }
            return state.wholeFile!
        }
    }

    // MARK: Whole files

    /// A whole file that came as the answer to a tail request, streamed through a scanner: its
    /// METADATA when the scanner found it, else the tail of the file, now kept for later reads.
    private func keepStreamedFile(_ download: WholeFileDownload, _ response: HTTPResponse, tailLength: Int) throws -> TailOrMetadata {
        capabilities.recordIgnoresRange(url)
        if let failure = download.failure { throw failure }
        if let found = download.found { return .metadata(found) }
        let whole = try download.finish()
        try record(response, total: whole.size)
        let kept = state.withLock { state in
            if state.wholeFile == nil { state.wholeFile = whole }
            return state.wholeFile!
        }
        let start = max(0, kept.size - Int64(tailLength))
        return .tail(TailRead(totalSize: kept.size, offset: start, bytes: try kept.read(start ..< kept.size)))
    }

    public var ignoresRanges: Bool { capabilities.capabilities(for: url).ignoresRange }

    /// Downloads the file with one GET and no `Range` (see ``WholeFileSource``): to its end, kept
    /// for every later read, unless `scanner` finds its METADATA first. A file downloaded before
    /// is scanned where it is.
    public func streamMetadata(_ scanner: LocalHeaderScanner, cancellation: CancellationToken?) throws -> Data? {
        if let whole = state.withLock({ $0.wholeFile }) {
            var scanner = scanner
            return try scanner.advance(available: whole.size) { try whole.read($0) }
        }
        let download = WholeFileDownload(url: displayName, scanner: scanner)
        let response = try client.send(
            HTTPRequest(url: url, headers: extraHeaders), cancellation: cancellation, statistics: statistics,
            bodySink: download)
        if let failure = download.failure { throw failure }
        if let found = download.found { return found }
        if let encoding = response.contentEncoding, encoding != "identity", !encoding.isEmpty {
            throw HTTPRangeError.contentEncoded(url: displayName, encoding: encoding)
        }
        guard response.status == 200 else { throw HTTPRangeError.unexpectedStatus(url: displayName, status: response.status) }
        let whole = try download.finish()
        try record(response, total: whole.size)
        state.withLock { state in if state.wholeFile == nil { state.wholeFile = whole } }
        return nil
    }

    private func unsatisfiable(_ response: HTTPResponse, requested: String) -> HTTPRangeError {
        let size = response.headers["Content-Range"].flatMap(ContentRange.init)?.completeLength
        if size == 0 { return .emptyFile(url: displayName) }
        if let known = totalSize, let size, known != size {
            return .fileChanged(url: displayName, detail: "its size changed from \(known) to \(size) bytes")
        }
        return .rangeNotSatisfiable(url: displayName, requested: requested, size: size)
    }
}
