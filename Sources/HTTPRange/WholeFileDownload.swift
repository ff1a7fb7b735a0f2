import Foundation
import LazyZip
import WorkScheduling

/// A whole file received from a server that ignores byte ranges, kept for every later read of
/// it: in memory up to ``LazyFile/defaultMemoryStoreThreshold``, above it in an unlinked temporary
/// file, so a large wheel never sits in RAM.
final class DownloadedFile: Sendable {
    let size: Int64
    private let store: Locked<any CacheStore>

    init(size: Int64, store: any CacheStore) {
        self.size = size
        self.store = Locked(store)
    }

    /// A file already in memory (a small whole-file answer).
    convenience init(_ bytes: Data) throws {
        let store = MemoryCacheStore(size: Int64(bytes.count))
        try store.write(bytes, at: 0)
        self.init(size: Int64(bytes.count), store: store)
    }

    func read(_ range: Range<Int64>) throws -> Data {
        try store.withLock { store throws(LazyFileError) in try store.read(range) }
    }
}

/// The ``HTTPBodySink`` of a whole-file GET: writes the body to its store as it arrives and
/// walks the local headers with a ``LocalHeaderScanner``, stopping the transfer as soon as the
/// scanner has its METADATA. Only a `200` with a `Content-Length` (at most ``maximumSize``) is
/// read: a body of no announced length could go on for ever.
final class WholeFileDownload: HTTPBodySink, @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    /// The largest whole file downloaded (it goes to disk above the memory threshold).
    static let maximumSize: Int64 = 8 << 30

    private let url: String
    private let initialScanner: LocalHeaderScanner
    private let memoryThreshold: Int64
    private let lock = NSLock()
    private var scanner: LocalHeaderScanner
    private var store: (any CacheStore)?
    private var expected: Int64 = 0
    private var received: Int64 = 0
    private var _found: Data?
    private var _failure: (any Error)?

    init(url: String, scanner: LocalHeaderScanner, memoryThreshold: Int64 = LazyFile.defaultMemoryStoreThreshold) {
        self.url = url
        self.initialScanner = scanner
        self.scanner = scanner
        self.memoryThreshold = memoryThreshold
    }

    /// METADATA, when the scanner found it before the end.
    var found: Data? { lock.withLock { _found } }
    /// Why the download stopped on its own (a body too long, a METADATA that does not check).
    var failure: (any Error)? { lock.withLock { _failure } }

    func begin(status: Int, headers: HTTPHeaderFields) -> Bool {
        lock.withLock {
            store = nil
            received = 0
            _found = nil
            _failure = nil
            scanner = initialScanner
            guard status == 200 else { return false }
            guard let length = headers["Content-Length"].flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }),
                  length >= 0
            else {
                _failure = HTTPRangeError.unknownLength(url: url, status: status)
                return false
            }
            guard length <= Self.maximumSize else {
                _failure = HTTPRangeError.fileTooLarge(url: url, size: length, limit: Self.maximumSize)
                return false
            }
            expected = length
            do {
                store = length <= memoryThreshold ? MemoryCacheStore(size: length) : try TemporaryFileCacheStore()
            } catch {
                _failure = error
                return false
            }
            return true
        }
    }

    func receive(_ bytes: Data) -> Bool {
        lock.withLock {
            guard let store, _failure == nil, _found == nil else { return false }
            guard received + Int64(bytes.count) <= expected else {
                _failure = HTTPRangeError.wrongBodyLength(url: url, expected: expected, received: Int(received) + bytes.count)
                return false
            }
            do {
                try store.write(bytes, at: received)
                received += Int64(bytes.count)
                if !scanner.gaveUp {
                    _found = try scanner.advance(available: received) { range in try store.read(range) }
                }
            } catch {
                _failure = error
                return false
            }
            return _found == nil
        }
    }

    /// The whole file, once every announced byte arrived.
    func finish() throws -> DownloadedFile {
        try lock.withLock {
            guard let store, received == expected else {
                throw HTTPRangeError.wrongBodyLength(url: url, expected: expected, received: Int(received))
            }
            return DownloadedFile(size: expected, store: store)
        }
    }
}

/// The ``HTTPBodySink`` of a tail request with a ``LocalHeaderScanner`` standing by: a `200`, the
/// whole file from a server that ignores ranges, goes to a ``WholeFileDownload``; any other
/// answer is collected in memory up to `limit`, as a request without a sink would collect it (a
/// longer body, or one of no announced length, is not read).
final class TailAnswerSink: HTTPBodySink, @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    let download: WholeFileDownload
    private let limit: Int
    private let lock = NSLock()
    private var wholeFile = false
    private var body = Data()
    private var complete = true

    init(download: WholeFileDownload, limit: Int) {
        self.download = download
        self.limit = limit
    }

    /// Whether the last answer was a whole file, streamed to ``download``.
    var isWholeFile: Bool { lock.withLock { wholeFile } }
    /// The body of an answer that was not a whole file, and whether all of it was read.
    var collected: (Data, Bool) { lock.withLock { (body, complete) } }

    func begin(status: Int, headers: HTTPHeaderFields) -> Bool {
        lock.withLock {
            wholeFile = status == 200
            body = Data()
            complete = true
        }
        if status == 200 { return download.begin(status: status, headers: headers) }
        let length = headers["Content-Length"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        guard let length, length <= Int64(limit) else {
            lock.withLock { complete = false }
            return false
        }
        return true
    }

    func receive(_ bytes: Data) -> Bool {
        if isWholeFile { return download.receive(bytes) }
        return lock.withLock {
            body.append(bytes)
            guard body.count <= limit else {
                complete = false
                return false
            }
            return true
        }
    }
}
