import CZlib
import Foundation

/// Decompression of ZIP entry data through zlib: raw deflate (RFC 1951, ZIP compression method 8,
/// APPNOTE 4.4.5) with a hard cap on output, and the ZIP CRC-32 (APPNOTE 4.4.7).
public enum Inflate {
    /// Output is produced in slices of this size, so a lying stream costs at most one slice past
    /// the cap before it is stopped.
    static let sliceLength = 64 * 1024

    /// Inflates the raw deflate stream `compressed` (zlib `windowBits` -15), producing at most
    /// `outputLimit` bytes: a stream that would produce more ends in
    /// ``ZipError/inflatedSizeExceeded(name:limit:)`` after bounded work, a damaged or short one
    /// in ``ZipError/corruptDeflateStream(name:reason:)``. `name` is for messages.
    public static func inflateRaw(_ compressed: Data, outputLimit: Int64, name: String) throws(ZipError) -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptDeflateStream(name: name, reason: "zlib could not start: out of memory")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        // The declared size at once: growing by doubling would hold up to twice the member for a
        // while; pages reserved and never written cost no memory.
        output.reserveCapacity(Int(min(outputLimit, 1 << 30)))
        var slice = [UInt8](repeating: 0, count: sliceLength)
        let failure: ZipError? = compressed.withUnsafeBytes { input -> ZipError? in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let (status, produced) = slice.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, buffer.count - Int(stream.avail_out))
                }
                if Int64(output.count) + Int64(produced) > outputLimit {
                    return .inflatedSizeExceeded(name: name, limit: outputLimit)
                }
                output.append(contentsOf: slice[0..<produced])
                switch status {
                case Z_STREAM_END:
                    return nil
                case Z_OK where produced > 0 || stream.avail_in > 0:
                    continue
                case Z_OK, Z_BUF_ERROR:
                    return .corruptDeflateStream(name: name, reason: "the stream ends before its last block")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    return .corruptDeflateStream(name: name, reason: message)
                }
            }
        }
        if let failure { throw failure }
        return output
    }

    /// The CRC-32 of `data` as ZIP stores it (zlib's `crc32`).
    public static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { crc32($0) }
    }

    /// The CRC-32 of `bytes`, continuing the CRC-32 `previous` of the bytes before them (so
    /// `crc32(b, continuing: crc32(a))` is the CRC-32 of `a` followed by `b`).
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = uLong(previous)
        var offset = 0
        while offset < bytes.count {
            let length = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, bytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + offset, uInt(length))
            offset += length
        }
        return UInt32(crc)
    }
}
