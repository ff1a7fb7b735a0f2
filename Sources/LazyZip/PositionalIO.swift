import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-range POSIX `pread`/`pwrite` (retrying short transfers and `EINTR`), shared by
/// ``FileByteSource``, ``TemporaryFileCacheStore`` and the index's disk cache. Failures are the
/// `strerror` text.
public enum PositionalIO {
    /// A failed system call, described by `strerror`.
    public struct Failure: Error {
        public let reason: String
    }

    /// Creates the file at `path`, which must not exist yet, with `contents` (mode 0644).
    ///
    /// Unlike `Data.write(to:)` this does not `fsync`: it is for caches whose entries carry their
    /// own checksum and are published by `rename`, where a flush to disk on every write would put
    /// a disk round trip on the critical path of every fetch.
    public static func createFile(atPath path: String, contents: Data) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        try write(descriptor, contents, at: 0)
    }

    /// The whole contents of the file at `path`, or nil when it does not exist or cannot be read.
    ///
    /// Cheaper than `Data(contentsOf:)` for the many small entries of a disk cache: one `open`,
    /// `fstat` and `read`, no URL and no error object for a missing file.
    public static func readFile(atPath path: String) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return try? read(descriptor, 0..<Int64(status.st_size))
    }

    /// The bytes of `range` of the file open as `descriptor`.
    static func read(_ descriptor: Int32, _ range: Range<Int64>) throws(Failure) -> Data {
        var data = Data(count: range.count)
        var done = 0
        let failure: String? = data.withUnsafeMutableBytes { raw in
            while done < raw.count {
                let got = pread(descriptor, raw.baseAddress! + done, raw.count - done, off_t(range.lowerBound) + off_t(done))
                if got < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                if got == 0 { return "unexpected end of file" }
                done += got
            }
            return nil
        }
        if let failure { throw Failure(reason: failure) }
        return data
    }

    /// Writes `bytes` at `offset` of the file open as `descriptor`.
    static func write(_ descriptor: Int32, _ bytes: Data, at offset: Int64) throws(Failure) {
        var done = 0
        let failure: String? = bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let written = pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                if written < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                done += written
            }
            return nil
        }
        if let failure { throw Failure(reason: failure) }
    }
}
