/// Why a ``LazyFile`` or one of its ``CacheStore``s could not serve a read.
public enum LazyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A read asked for bytes outside `0 ..< fileSize`.
    case rangeOutOfBounds(Range<Int64>, fileSize: Int64)
    /// The ``ByteSource`` returned another number of bytes than asked for.
    case shortRead(source: String, requested: Range<Int64>, received: Int)
    /// The ``TailRead`` a file was opened with is inconsistent (negative size, bytes past the end).
    case invalidTail(source: String, totalSize: Int64, offset: Int64, count: Int)
    /// The memory or temporary-file store failed.
    case cacheStoreFailed(String)

    public var description: String {
        switch self {
        case let .rangeOutOfBounds(range, size):
            return "read of bytes \(range.lowerBound)..<\(range.upperBound) is outside the file, which has \(size) bytes; "
                + "the archive's offsets are wrong or the file changed while it was read"
        case let .shortRead(source, range, received):
            return "\(source) returned \(received) bytes for bytes \(range.lowerBound)..<\(range.upperBound) "
                + "(\(range.count) expected); the file may have changed on the server, retry"
        case let .invalidTail(source, size, offset, count):
            return "\(source) answered the tail read with \(count) bytes at offset \(offset) of a \(size)-byte file, "
                + "which does not fit; the server's Content-Range is inconsistent"
        case let .cacheStoreFailed(reason):
            return "the local byte cache failed: \(reason); check free space in the temporary directory"
        }
    }
}
