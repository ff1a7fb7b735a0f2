#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Small files of `/proc` and `/sys`, which the kernel makes as they are read.
enum SystemFile {
    /// The first `maxLength` bytes of the file at `path`, read with one `read` (a `/proc` or
    /// `/sys` file reports no size to read by); nil when it cannot be read or is empty.
    static func prefix(atPath path: String, maxLength: Int) -> ArraySlice<UInt8>? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: maxLength)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        return count > 0 ? buffer[..<count] : nil
    }
}
