import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a ``LazyFile`` keeps the bytes it fetched, addressed by their offset in the remote file.
///
/// A store is not thread-safe: its ``LazyFile`` only touches it while holding its bookkeeping
/// lock, and only reads ranges its ``IntervalSet`` says were written.
public protocol CacheStore: AnyObject {
    /// Copies `bytes` to `offset ..< offset + bytes.count`.
    func write(_ bytes: Data, at offset: Int64) throws(LazyFileError)
    /// The bytes of `range`, which were written before.
    func read(_ range: Range<Int64>) throws(LazyFileError) -> Data
    /// Forgets everything written, giving the memory or disk space back.
    func removeAll()
}

/// Which kind of ``CacheStore`` a ``LazyFile`` uses.
public enum CacheStoreKind: Sendable, Equatable {
    /// ``MemoryCacheStore``.
    case memory
    /// ``TemporaryFileCacheStore``.
    case temporaryFile

    /// `.memory` for files of at most `threshold` bytes, `.temporaryFile` above.
    public static func forFile(size: Int64, memoryThreshold: Int64) -> CacheStoreKind {
        size <= memoryThreshold ? .memory : .temporaryFile
    }
}

/// A ``CacheStore`` in RAM for small files: one buffer the size of the file, mapped on the first
/// write as anonymous memory, so pages never written are never backed by memory or touched.
///
/// Not `calloc`: glibc serves a request that fits in a heap's free top from the heap, and clears it
/// with `memset` wherever that memory may have been used before (always, in a worker thread's
/// heap), which would write every page of a wheel-sized buffer twice, zeroed by the kernel and by
/// `memset`, where a wheel needs only its tail and METADATA.
public final class MemoryCacheStore: CacheStore {
    private let size: Int64
    private var buffer: UnsafeMutableRawPointer?

    /// A store for a file of `size` bytes.
    public init(size: Int64) { self.size = size }

    deinit { unmap() }

    public func write(_ bytes: Data, at offset: Int64) throws(LazyFileError) {
        guard offset >= 0, offset + Int64(bytes.count) <= size else {
            throw .rangeOutOfBounds(offset ..< offset + Int64(bytes.count), fileSize: size)
        }
        guard !bytes.isEmpty else { return }
        if buffer == nil {
            let fresh = mmap(nil, Int(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let fresh, fresh != MAP_FAILED else { throw .cacheStoreFailed("out of memory for \(size) bytes") }
            buffer = fresh
        }
        let target = buffer! + Int(offset)
        bytes.withUnsafeBytes { source in target.copyMemory(from: source.baseAddress!, byteCount: source.count) }
    }

    public func read(_ range: Range<Int64>) throws(LazyFileError) -> Data {
        guard range.lowerBound >= 0, range.upperBound <= size else { throw .rangeOutOfBounds(range, fileSize: size) }
        guard !range.isEmpty else { return Data() }
        guard let buffer else { throw .cacheStoreFailed("read of \(range) from an empty memory store") }
        return Data(bytes: buffer + Int(range.lowerBound), count: range.count)
    }

    public func removeAll() { unmap() }

    private func unmap() {
        if let buffer { munmap(buffer, Int(size)) }
        buffer = nil
    }
}

/// A sparse ``CacheStore`` on disk for big files, so a 700 MB wheel never sits in RAM: bytes go to
/// their own offset of a temporary file with `pwrite` and come back with `pread`. The file is
/// unlinked right after it is created, so it disappears with its descriptor even after a crash.
public final class TemporaryFileCacheStore: CacheStore {
    private let descriptor: Int32

    /// Creates the file in `directory` (default: the system temporary directory).
    public init(directory: String = NSTemporaryDirectory()) throws(LazyFileError) {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
        template += Array("lazywheel-cache-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw .cacheStoreFailed("cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    public func write(_ bytes: Data, at offset: Int64) throws(LazyFileError) {
        do {
            try PositionalIO.write(descriptor, bytes, at: offset)
        } catch {
            throw .cacheStoreFailed("cannot write the cache file: \(error.reason)")
        }
    }

    public func read(_ range: Range<Int64>) throws(LazyFileError) -> Data {
        do {
            return try PositionalIO.read(descriptor, range)
        } catch {
            throw .cacheStoreFailed("cannot read the cache file: \(error.reason)")
        }
    }

    public func removeAll() {
        _ = ftruncate(descriptor, 0)
    }
}
