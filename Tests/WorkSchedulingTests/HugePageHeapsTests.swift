import Foundation
import Testing
@testable import WorkScheduling

struct HugePageHeapsTests {
    /// With the advice on, a new thread's heap is one the kernel was asked to back with huge
    /// pages (`hg` among the mapping's flags in `/proc/self/smaps`), and memory from it is ordinary
    /// memory. Only where the system leaves huge pages to each process, and glibc allocates.
    @Test func threadHeapsAreAdvised() throws {
        let mode = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
        HugePageHeaps.enable()
        // Off under a sanitizer (its own malloc) and where the system decides for every process.
        #expect(HugePageHeaps.isEnabled == (mode.contains("[madvise]") && HugePageHeaps.usesGlibcMalloc))
        let advised = Locked<UInt??>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            advised.withLock { $0 = .some(HugePageHeaps.adviseCurrentThreadHeap()) }
            let block = malloc(4096)!
            memset(block, 0x5A, 4096)
            precondition(UnsafeRawBufferPointer(start: block, count: 4096).allSatisfy { $0 == 0x5A })
            free(block)
            done.signal()
        }
        thread.start()
        done.wait()
        // nil: not enabled, or the thread was given the main heap (glibc shares it once a process
        // has more threads than arenas, as a parallel test run may).
        guard let base = advised.withLock({ $0 }) ?? nil else { return }
        #expect(HugePageHeaps.isEnabled)
        let flags = try #require(Self.mappingFlags(containing: base))
        #expect(flags.contains("hg"), "flags of the thread's heap: \(flags)")
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
