import CZlib
import Foundation
import HTTPRange
import LazyZip
import WorkScheduling

/// Builds tar archives byte by byte (POSIX ustar headers, pax `x` records, GNU `L` long names) and
/// gzip streams through zlib, for sdist tests.
enum TarFixture {
    enum Member {
        case file(String, Data)
        case directory(String)
        case ustarSplit(prefix: String, name: String, Data)
        case paxFile(String, Data)
        case gnuLongName(String, Data)
    }

    static func header(name: String, size: Int, type: UInt8, prefix: String = "", gnu: Bool = false) -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, length: Int) {
            let bytes = Array(text.utf8.prefix(length))
            block.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        }
        func octal(_ value: Int, at offset: Int, length: Int) {
            put(String(value, radix: 8).leftPadded(to: length - 1), at: offset, length: length - 1)
        }
        put(name, at: 0, length: 100)
        octal(0o644, at: 100, length: 8)
        octal(0, at: 108, length: 8)
        octal(0, at: 116, length: 8)
        octal(size, at: 124, length: 12)
        octal(1_700_000_000, at: 136, length: 12)
        block[156] = type
        if gnu {
            put("ustar  ", at: 257, length: 8)
        } else {
            put("ustar", at: 257, length: 6)
            put("00", at: 263, length: 2)
        }
        put(prefix, at: 345, length: 155)
        for index in 148..<156 { block[index] = 0x20 }
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(sum, radix: 8).leftPadded(to: 6), at: 148, length: 6)
        block[154] = 0
        block[155] = 0x20
        return Data(block)
    }

    static func padded(_ data: Data) -> Data {
        var result = data
        let remainder = data.count % 512
        if remainder != 0 { result.append(Data(count: 512 - remainder)) }
        return result
    }

    static func paxRecord(_ key: String, _ value: String) -> String {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).utf8.count + body.utf8.count != length { length = String(length).utf8.count + body.utf8.count }
        return "\(length)\(body)"
    }

    static func tar(_ members: [Member], endMarker: Bool = true) -> Data {
        var archive = Data()
        for member in members {
            switch member {
            case .file(let name, let data):
                archive += header(name: name, size: data.count, type: UInt8(ascii: "0")) + padded(data)
            case .directory(let name):
                archive += header(name: name, size: 0, type: UInt8(ascii: "5"))
            case .ustarSplit(let prefix, let name, let data):
                archive += header(name: name, size: data.count, type: UInt8(ascii: "0"), prefix: prefix) + padded(data)
            case .paxFile(let path, let data):
                let records = Data(paxRecord("path", path).utf8) + Data(paxRecord("mtime", "1700000000.5").utf8)
                archive += header(name: "PaxHeaders.0/x", size: records.count, type: UInt8(ascii: "x")) + padded(records)
                archive += header(name: String(path.suffix(99)), size: data.count, type: UInt8(ascii: "0")) + padded(data)
            case .gnuLongName(let path, let data):
                let name = Data(path.utf8) + Data([0])
                archive += header(name: "././@LongLink", size: name.count, type: UInt8(ascii: "L"), gnu: true) + padded(name)
                archive += header(name: String(path.prefix(100)), size: data.count, type: UInt8(ascii: "0"), gnu: true) + padded(data)
            }
        }
        if endMarker { archive += Data(count: 1024) }
        return archive
    }

    /// gzip (RFC 1952) through zlib's deflate with windowBits 31.
    static func gzip(_ data: Data) -> Data {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 64)
        var input = [UInt8](data)
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Data(output[0..<produced])
    }

    static let pkgInfo = Data("""
        Metadata-Version: 2.2
        Name: demo
        Version: 1.0
        Requires-Python: >=3.8
        Requires-Dist: idna>=2

        A description.
        """.utf8)

    /// Bytes that do not compress, so a member really costs its size in the gzip stream.
    static func noise(_ count: Int) -> Data {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return Data((0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        })
    }
}

private extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}

/// A ``ByteSource`` over bytes in memory that logs every read.
final class RangeLoggingSource: ByteSource {
    let data: Data
    let displayName = "memory"
    private let log = Locked<[Range<Int64>]>([])

    init(_ data: Data) {
        self.data = data
    }

    var reads: [Range<Int64>] { log.withLock { $0 } }

    func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        let start = max(0, data.count - length)
        log.withLock { $0.append(Int64(start)..<Int64(data.count)) }
        return TailRead(totalSize: Int64(data.count), offset: Int64(start), bytes: data.subdata(in: start..<data.count))
    }

    func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data {
        log.withLock { $0.append(range) }
        guard range.upperBound <= Int64(data.count) else {
            // What HTTPRangeSource reports when the server clamps a range at the end of the file.
            throw HTTPRangeError.outOfBounds(url: displayName, requested: range, size: Int64(data.count))
        }
        return data.subdata(in: Int(range.lowerBound)..<Int(range.upperBound))
    }
}
