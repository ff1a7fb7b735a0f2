import Foundation
import Testing
import WorkScheduling

struct HugePageHeapsTests {
    /// With the advice on, a pool's first thread allocates from a heap the kernel was asked to
    /// back with huge pages (`hg` among the mapping's flags in `/proc/self/smaps`), and its
    /// objects are ordinary memory. Only where the system leaves huge pages to each process.
    @Test func poolThreadHeapsAreAdvised() throws {
        let mode = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
        HugePageHeaps.enable()
        let pool = WorkerPool(label: "test.hugepages", width: 1)
        let address = try pool.run {
            let block = malloc(4096)!
            memset(block, 0x5A, 4096)
            let sum = UnsafeRawBufferPointer(start: block, count: 4096).reduce(0) { $0 + Int($1) }
            precondition(sum == 0x5A * 4096)
            defer { free(block) }
            return UInt(bitPattern: block)
        }
        // Off under a sanitizer (its own malloc) and where the system decides for every process.
        #expect(HugePageHeaps.isEnabled == (mode.contains("[madvise]") && HugePageHeaps.usesGlibcMalloc))
        guard HugePageHeaps.isEnabled else { return }
        let flags = try #require(Self.mappingFlags(containing: address))
        #expect(flags.contains("hg"), "flags of the worker's heap: \(flags)")
    }

    /// The `VmFlags` of the mapping of this process that contains `address`.
    static func mappingFlags(containing address: UInt) -> [String]? {
        // Read to the end: a /proc file reports no size, and readers that trust it see nothing.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/smaps")?.readDataToEndOfFile() else { return nil }
        let smaps = String(decoding: data, as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && (bounds[0]..<bounds[1]).contains(address)
            } else if inside, fields.first == "VmFlags:" {
                return fields.dropFirst().map(String.init)
            }
        }
        return nil
    }
}
