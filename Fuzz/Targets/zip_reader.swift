// libFuzzer target: the ZIP reader (LazyZip.LazyWheel / ZipArchive) over an in-memory byte source:
// open (EOCD, ZIP64, central directory), pick METADATA, read and inflate members with CRC checks.
import Foundation
import LazyZip
import WorkScheduling

final class FuzzByteSource: ByteSource {
    let data: Data
    init(_ data: Data) { self.data = data }
    var displayName: String { "fuzz" }

    func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead {
        let count = min(length, data.count)
        return TailRead(totalSize: Int64(data.count), offset: Int64(data.count - count),
                        bytes: data.subdata(in: (data.count - count)..<data.count))
    }

    func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data {
        guard range.lowerBound >= 0, range.upperBound <= Int64(data.count) else {
            struct OutOfBounds: Error {}
            throw OutOfBounds()
        }
        return data.subdata(in: Int(range.lowerBound)..<Int(range.upperBound))
    }
}

let fuzzPool = WorkerPool(label: "fuzz", width: 2)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZipReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = FuzzByteSource(Data(bytes: data, count: size))
    guard let wheel = try? LazyWheel.open(source: source, tailLength: 1024, pool: fuzzPool) else { return 0 }
    _ = wheel.metadataDirectories
    _ = try? wheel.readMetadata(distInfoMatches: { _ in true })
    for entry in wheel.archive.entries.prefix(8) {
        if let bytes = try? wheel.archive.readEntry(entry, maxSize: 1 << 20) {
            if Int64(bytes.count) != entry.uncompressedSize {
                fatalError("readEntry returned \(bytes.count) bytes for a member declaring \(entry.uncompressedSize)")
            }
        }
    }
    return 0
}
