import CZlib
import Foundation

/// Incremental gzip decompression (RFC 1952) through zlib (`windowBits` 31), fed compressed bytes
/// as they arrive and producing decompressed bytes in bounded slices. Concatenated gzip members
/// (RFC 1952 §2.2) are decompressed one after the other, as `gzip -d` does.
///
/// Used to read the head of a `.tar.gz` source distribution without downloading all of it.
final class GzipStream {
    /// Thrown for a stream zlib rejects.
    struct Failure: Error {
        var reason: String
    }

    private let stream: UnsafeMutablePointer<z_stream>
    /// Whether the last member ended and no further input has started a new one.
    private(set) var isAtMemberEnd = false
    /// Total decompressed bytes produced.
    private(set) var totalOutput: Int64 = 0

    init() throws(Failure) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateInit2_(stream, 31, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw Failure(reason: "zlib could not start: out of memory")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates into `slice` once and hands what came out to `sink`: zlib's status, the bytes
    /// produced, and whether `sink` wants more.
    private func inflateSlice(_ slice: inout [UInt8], sink: (Data) throws -> Bool) throws -> (Int32, Int, Bool) {
        let (status, produced) = slice.withUnsafeMutableBufferPointer { buffer in
            stream.pointee.next_out = buffer.baseAddress
            stream.pointee.avail_out = uInt(buffer.count)
            let status = inflate(stream, Z_NO_FLUSH)
            return (status, buffer.count - Int(stream.pointee.avail_out))
        }
        totalOutput += Int64(produced)
        let wanted = produced == 0 ? true : try sink(Data(slice[0..<produced]))
        return (status, produced, wanted)
    }

    /// Decompresses all of `input`, calling `sink` with each slice of output (at most
    /// `sliceLength` bytes). `sink` returns false to stop early (the rest of `input` is dropped).
    func decompress(_ input: Data, sliceLength: Int = 64 * 1024, sink: (Data) throws -> Bool) throws {
        guard !input.isEmpty else { return }
        var slice = [UInt8](repeating: 0, count: sliceLength)
        try input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.pointee.avail_in = uInt(raw.count)
            defer {
                stream.pointee.next_in = nil
                stream.pointee.avail_in = 0
            }
            while stream.pointee.avail_in > 0 {
                if isAtMemberEnd {
                    // Another gzip member follows (or trailing garbage, which zlib will reject).
                    inflateReset(stream)
                    isAtMemberEnd = false
                }
                let (status, produced, wanted) = try inflateSlice(&slice, sink: sink)
                guard wanted else { return }
                switch status {
                case Z_STREAM_END:
                    isAtMemberEnd = true
                    // Skip zero padding some tools leave after the last member.
                    while stream.pointee.avail_in > 0, stream.pointee.next_in.pointee == 0 {
                        stream.pointee.next_in += 1
                        stream.pointee.avail_in -= 1
                    }
                case Z_OK:
                    continue
                case Z_BUF_ERROR where produced > 0:
                    continue
                default:
                    let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw Failure(reason: message)
                }
            }
            // Input is consumed, but zlib may still hold output for a full slice.
            while true {
                let (status, produced, wanted) = try inflateSlice(&slice, sink: sink)
                guard wanted else { return }
                if status == Z_STREAM_END { isAtMemberEnd = true }
                if produced < slice.count || status != Z_OK { break }
            }
        }
    }
}
