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
        readFilePrefix(atPath: path, maxLength: .max)?.bytes
    }

    /// The first `maxLength` bytes of the file at `path` (all of it when shorter) and the file's
    /// size, or nil when it does not exist or cannot be read.
    public static func readFilePrefix(atPath path: String, maxLength: Int) -> (bytes: Data, fileSize: Int)? {
        try? prefix(ofFileAtPath: path, maxLength: maxLength)
    }

    /// The whole contents of the regular file at `path`; the failure says why it could not be
    /// read (`No such file or directory`, `Is a directory`, …).
    public static func contents(ofFileAtPath path: String) throws(Failure) -> Data {
        try prefix(ofFileAtPath: path, maxLength: .max).bytes
    }

    private static func prefix(ofFileAtPath path: String, maxLength: Int) throws(Failure) -> (bytes: Data, fileSize: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw Failure(reason: (status.st_mode & S_IFMT) == S_IFDIR ? String(cString: strerror(EISDIR)) : "not a regular file")
        }
        return (try read(descriptor, 0..<min(Int64(status.st_size), Int64(maxLength))), Int(status.st_size))
    }

    /// The bytes of `range` of the file open as `descriptor`.
    static func read(_ descriptor: Int32, _ range: Range<Int64>) throws(Failure) -> Data {
        // Uninitialized memory, filled by `pread`: `Data(count:)` would zero every byte first.
        let count = range.count
        guard count > 0 else { return Data() }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        var done = 0
        while done < count {
            let got = pread(descriptor, buffer + done, count - done, off_t(range.lowerBound) + off_t(done))
            let code = errno
            if got < 0, code == EINTR { continue }
            if got <= 0 {
                buffer.deallocate()
                throw Failure(reason: got == 0 ? "unexpected end of file" : String(cString: strerror(code)))
            }
            done += got
        }
        return Data(bytesNoCopy: buffer, count: count, deallocator: .custom { pointer, _ in pointer.deallocate() })
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
