import Foundation
import WorkScheduling

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a local file could not be read.
public enum FileByteSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not a `file://` URL.
    case notAFileURL(String)
    /// `open` or `fstat` failed.
    case cannotOpen(path: String, reason: String)
    /// `pread` failed or the file got shorter.
    case readFailed(path: String, range: Range<Int64>, reason: String)

    public var description: String {
        switch self {
        case let .notAFileURL(url): return "\(url) is not a file:// URL or a local path"
        case let .cannotOpen(path, reason): return "cannot open \(path): \(reason)"
        case let .readFailed(path, range, reason):
            return "cannot read bytes \(range.lowerBound)..<\(range.upperBound) of \(path): \(reason); did the file change?"
        }
    }
}

/// A ``ByteSource`` over a local file (POSIX `pread`), so local wheels are read exactly like
/// remote ones; every read counts as one request in ``TransferStatistics``.
public final class FileByteSource: ByteSource {
    public let displayName: String
    /// The file's size when it was opened.
    public let size: Int64
    private let descriptor: Int32
    private let statistics: TransferStatistics?

    /// Opens the file at `path`.
    public init(path: String, statistics: TransferStatistics? = nil) throws(FileByteSourceError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .cannotOpen(path: path, reason: reason)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .cannotOpen(path: path, reason: "not a regular file")
        }
        self.displayName = path
        self.size = Int64(info.st_size)
        self.descriptor = descriptor
        self.statistics = statistics
    }

    /// Opens a `file://` URL.
    public convenience init(url: URL, statistics: TransferStatistics? = nil) throws(FileByteSourceError) {
        guard url.isFileURL else { throw .notAFileURL(url.absoluteString) }
        try self.init(path: url.path, statistics: statistics)
    }

    deinit { close(descriptor) }

    public func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        let start = max(0, size - Int64(max(0, length)))
        return TailRead(totalSize: size, offset: start, bytes: try read(start ..< size, cancellation: cancellation))
    }

    public func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data {
        try cancellation.throwIfCancelled()
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw FileByteSourceError.readFailed(path: displayName, range: range, reason: "outside the \(size)-byte file")
        }
        let data: Data
        do {
            data = try PositionalIO.read(descriptor, range)
        } catch {
            throw FileByteSourceError.readFailed(path: displayName, range: range, reason: error.reason)
        }
        statistics?.recordRequest(bytes: Int64(range.count))
        return data
    }
}
