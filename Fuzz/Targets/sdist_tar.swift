// libFuzzer target: the sdist reader's tar scanner (PackageIndex.TarEntryScanner, through
// SdistArchiveReader.readPKGInfo). The input is the tar stream itself; the target gzips it, so
// the fuzzer explores tar headers (ustar, GNU long names, PAX paths, sizes in octal and base-256)
// instead of the gzip format.
import CZlib
import Foundation
import LazyZip
import PackageIndex
import WorkScheduling

final class TarballSource: ByteSource {
    let data: Data
    init(_ data: Data) { self.data = data }
    var displayName: String { "fuzz-1.0.tar.gz" }

    func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        let count = min(length, data.count)
        return TailRead(totalSize: Int64(data.count), offset: Int64(data.count - count),
                        bytes: data.subdata(in: (data.count - count)..<data.count))
    }

    func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data {
        let upper = min(range.upperBound, Int64(data.count))
        guard range.lowerBound >= 0, range.lowerBound <= upper else { return Data() }
        return data.subdata(in: Int(range.lowerBound)..<Int(upper))
    }
}

/// `bytes` as one gzip member (zlib `windowBits` 31), at the fastest level.
func gzip(_ bytes: [UInt8]) -> Data {
    var stream = z_stream()
    guard deflateInit2_(&stream, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        return Data()
    }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
    var input = bytes
    let written = input.withUnsafeMutableBufferPointer { inputBuffer in
        output.withUnsafeMutableBufferPointer { outputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            stream.next_out = outputBuffer.baseAddress
            stream.avail_out = uInt(outputBuffer.count)
            _ = deflate(&stream, Z_FINISH)
            return outputBuffer.count - Int(stream.avail_out)
        }
    }
    return Data(output[0..<written])
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSdistTar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = TarballSource(gzip(Array(UnsafeBufferPointer(start: data, count: size))))
    _ = try? SdistArchiveReader.readPKGInfo(filename: "fuzz-1.0.tar.gz", source: source, knownSize: Int64(source.data.count))
    _ = try? SdistArchiveReader.readPKGInfo(filename: "fuzz-1.0.tar.gz", source: source)
    return 0
}
