import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-range POSIX `pread`/`pwrite` (retrying short transfers and `EINTR`), shared by
/// ``FileByteSource`` and ``TemporaryFileCacheStore``. Failures are the `strerror` text.
enum PositionalIO {
    struct Failure: Error {
        let reason: String
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
