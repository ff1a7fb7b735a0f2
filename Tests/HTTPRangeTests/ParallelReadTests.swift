import Foundation
import HTTPRange
import LazyZip
import Testing
import TestSupport
import WorkScheduling

/// One source serves reads from several worker threads at once, one range request each.
@Suite struct ParallelReadTests {
    @Test(arguments: [8, 32])
    func parallelReadsAllSucceed(count: Int) throws {
        try Fixture.with { fixture in
            let data = sampleData(count * 1000)
            fixture.server.setFile("/w.whl", data: data)
            fixture.server.setFaults(ServerFaults(delay: 0.02), for: "/w.whl")
            let source = fixture.source("/w.whl")
            _ = try source.readTail(length: 100, cancellation: nil)
            fixture.server.clearLog()
            let pool = WorkerPool(label: "test.parallel-reads", width: 8)
            let jobs: [@Sendable () throws -> Data] = (0..<count).map { index in
                { try source.read(Int64(index * 1000)..<Int64(index * 1000 + 1000), cancellation: nil) }
            }
            let results = try pool.runAll(jobs)
            for (index, bytes) in results.enumerated() {
                #expect(bytes == data.subdata(in: index * 1000..<index * 1000 + 1000))
            }
            let requests = fixture.server.requests
            #expect(requests.count == count)
            #expect(Set(requests.compactMap(\.range)).count == count)
            #expect(requests.allSatisfy { $0.status == 206 && $0.header("If-Range") != nil })
            #expect(fixture.statistics.snapshot.requests == count + 1)
            #expect(fixture.statistics.snapshot.bytesFetched == Int64(count * 1000 + 100))
        }
    }
}
