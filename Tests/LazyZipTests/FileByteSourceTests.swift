import Foundation
import LazyZip
import Testing

@Suite struct FileByteSourceTests {
    func temporaryFile(_ data: Data) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lazyzip-test-\(UUID().uuidString)")
        try data.write(to: url)
        return url
    }

    @Test func readsRangesAndTailsAndCountsRequests() throws {
        let data = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0) })
        let url = try temporaryFile(data)
        defer { try? FileManager.default.removeItem(at: url) }
        let statistics = TransferStatistics()
        let source = try FileByteSource(url: url, statistics: statistics)
        #expect(source.size == 5000)
        #expect(try source.read(10 ..< 20, cancellation: nil) == data[10 ..< 20])
        let tail = try source.readTail(length: 100, cancellation: nil)
        #expect(tail == TailRead(totalSize: 5000, offset: 4900, bytes: data.suffix(100)))
        let whole = try source.readTail(length: 10_000, cancellation: nil)
        #expect(whole.offset == 0 && whole.bytes == data)
        #expect(statistics.snapshot.requests == 3)
        #expect(statistics.snapshot.bytesFetched == 10 + 100 + 5000)
        #expect(throws: FileByteSourceError.self) { try source.read(4990 ..< 5010, cancellation: nil) }
    }

    @Test func refusesWhatIsNotALocalFile() throws {
        #expect(throws: FileByteSourceError.notAFileURL("http://127.0.0.1/x.whl")) {
            try FileByteSource(url: URL(string: "http://127.0.0.1/x.whl")!)
        }
        #expect(throws: FileByteSourceError.self) { try FileByteSource(path: "/nonexistent/lazyzip/file.whl") }
        #expect(throws: FileByteSourceError.self) { try FileByteSource(path: FileManager.default.temporaryDirectory.path) }
    }
}
