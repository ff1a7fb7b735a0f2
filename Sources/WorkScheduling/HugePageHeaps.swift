#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Asks the kernel to back the `malloc` heaps of a one-job process with transparent huge pages
/// (`madvise(MADV_HUGEPAGE)`), when the system leaves that to each process (`madvise` mode).
///
/// A warm resolve over long project pages makes tens of thousands of small objects in a few
/// milliseconds, and each fresh 4 KiB page of heap it touches is a page fault: a sixth of the
/// process's time. A huge page is one fault per 2 MiB. glibc does this itself when started with
/// `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, which only the environment can set; this does the same
/// for the heaps that matter: the main heap (made to reserve room first, see
/// ``adviseMainHeap(reserving:)``) and the arenas of the threads a ``WorkerPool`` starts first,
/// advised as each starts (``adviseCurrentThreadHeap()``). Off unless the process asks (``enable(reserving:)``): a
/// long-running service keeps the default. Advice only: nothing breaks if it is ignored.
public enum HugePageHeaps {
    private static let enabled = Atomic<Bool>(false)
    /// The blocks that fill each advised thread heap up to its first huge page, never freed.
    private static let fillers = Locked<[UInt]>([])

    /// glibc's per-thread arenas are heaps of at most this size, aligned to it (`HEAP_MAX_SIZE`:
    /// twice the largest mmap threshold, 2 × 4 MiB × `sizeof(long)`).
    private static let arenaHeapSize: UInt = 64 << 20
    private static let hugePage: UInt = 2 << 20

    /// Turns the advice on for this process: advises the main heap now, after growing it by
    /// `reserving` bytes (kept by `malloc` for later: the caller's trim threshold must exceed it),
    /// and each worker thread's heap from now on.
    public static func enable(reserving: Int) {
        #if canImport(Glibc)
        guard systemLeavesItToProcesses else { return }
        enabled.store(true, ordering: .relaxed)
        adviseMainHeap(reserving: reserving)
        #endif
    }

    /// Advises the heap of the arena the calling thread allocates from, when it is a thread arena.
    ///
    /// The arena's first huge page worth of heap already has small pages (glibc wrote its header
    /// there when the thread first allocated), and the kernel backs a range with a huge page only
    /// while none of it is mapped: so the rest of that range is taken by a block that is never
    /// used nor freed (virtual memory only), and the thread's objects start at the next huge page.
    static func adviseCurrentThreadHeap() {
        #if canImport(Glibc)
        guard enabled.load(ordering: .relaxed), let probe = malloc(64) else { return }
        let address = UInt(bitPattern: probe)
        free(probe)
        // Below the break is the main heap (advised already), not an arena of the thread's own.
        if address < UInt(bitPattern: sbrk(0)) { return }
        let base = address & ~(arenaHeapSize - 1)
        guard madvise(UnsafeMutableRawPointer(bitPattern: base), Int(arenaHeapSize), MADV_HUGEPAGE) == 0 else { return }
        let nextHugePage = (address + hugePage) & ~(hugePage - 1)
        // Less a few chunk headers, so that the block ends just before the boundary.
        let filler = Int(nextHugePage - address) - 64
        // Kept where the optimizer sees it used: an allocation nothing reads may be left out.
        if filler > 0, let block = malloc(filler) { fillers.withLock { $0.append(UInt(bitPattern: block)) } }
        #endif
    }

    #if canImport(Glibc)
    /// `madvise` mode of `/sys/kernel/mm/transparent_hugepage/enabled` (`always` needs no advice,
    /// `never` takes none).
    private static var systemLeavesItToProcesses: Bool {
        let descriptor = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return false }
        // Bytes compared, not `String.contains`, which goes through Foundation's string search.
        let wanted = Array("[madvise]".utf8)
        return buffer[..<count].indices.contains { start in buffer[start...].starts(with: wanted) }
    }

    /// Grows the main heap by `reserving` bytes (a block allocated and freed: `malloc` keeps the
    /// room), then advises the whole heap. Later growth past it makes a mapping of its own,
    /// which the kernel does not merge with an advised one, so it goes unadvised.
    private static func adviseMainHeap(reserving: Int) {
        guard let block = malloc(reserving) else { return }
        let address = UInt(bitPattern: block)
        free(block)
        let end = UInt(bitPattern: sbrk(0))
        // The block came from the main heap only if it lies below the break.
        guard address < end, end - address < 1 << 40 else { return }
        // From the block's page: the heap's start is not known, and advice over unmapped
        // addresses fails.
        let start = address & ~UInt(getpagesize() - 1)
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), MADV_HUGEPAGE)
    }
    #endif
}
