#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Asks the kernel to back the `malloc` heaps of a one-job process's worker threads with
/// transparent huge pages (`madvise(MADV_HUGEPAGE)`), when the system leaves that to each
/// process (`madvise` mode).
///
/// A warm resolve over long project pages makes tens of thousands of small objects in a few
/// milliseconds on the threads that read the pages, and each fresh 4 KiB page of heap they touch
/// is a page fault: a sixth of the process's time. A huge page is one fault per 2 MiB. glibc does
/// this itself for every heap when started with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, which
/// only the environment can set; this does it for the arenas of the threads a ``WorkerPool``
/// starts first, as each starts (``adviseCurrentThreadHeap()``). Not for the main thread's heap:
/// measured in turns with uv, as `scripts/bench` runs, advising it too cost a warm run 0.5-0.9 ms
/// (each huge page zeroed whole, and found by compacting memory) and gained nothing on long pages.
/// Off unless the process asks (``enable()``): a long-running service keeps the default. Advice
/// only: nothing breaks if it is ignored.
public enum HugePageHeaps {
    private static let enabled = Atomic<Bool>(false)
    /// The blocks that fill each advised thread heap up to its first huge page, never freed.
    private static let fillers = Locked<[UInt]>([])

    /// glibc's per-thread arenas are heaps of at most this size, aligned to it (`HEAP_MAX_SIZE`:
    /// twice the largest mmap threshold, 2 × 4 MiB × `sizeof(long)`).
    private static let arenaHeapSize: UInt = 64 << 20
    private static let hugePage: UInt = 2 << 20

    /// Turns the advice on for this process: each worker thread's heap is advised from now on.
    /// Not when `malloc` is not glibc's (a sanitizer's or a preloaded allocator), whose heaps are
    /// laid out otherwise.
    public static func enable() {
        #if canImport(Glibc)
        guard systemLeavesItToProcesses, usesGlibcMalloc else { return }
        enabled.store(true, ordering: .relaxed)
        #endif
    }

    /// Whether the advice is on (``enable()`` found glibc's `malloc` and `madvise` mode).
    public static var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// Advises the heap of the arena the calling thread allocates from, when it is a thread arena.
    ///
    /// The arena's first huge page worth of heap already has small pages (glibc wrote its header
    /// there when the thread first allocated), and the kernel backs a range with a huge page only
    /// while none of it is mapped: so the rest of that range is taken by a block that is never
    /// used nor freed (virtual memory only), and the thread's objects start at the next huge page.
    /// Returns the start of the heap advised, nil when none was.
    @discardableResult
    static func adviseCurrentThreadHeap() -> UInt? {
        #if canImport(Glibc)
        guard enabled.load(ordering: .relaxed), let probe = malloc(64) else { return nil }
        let address = UInt(bitPattern: probe)
        free(probe)
        // Below the break is the main heap, not an arena of the thread's own (with many threads,
        // glibc lets some share it).
        if address < UInt(bitPattern: sbrk(0)) { return nil }
        let base = address & ~(arenaHeapSize - 1)
        guard madvise(UnsafeMutableRawPointer(bitPattern: base), Int(arenaHeapSize), MADV_HUGEPAGE) == 0 else { return nil }
        let nextHugePage = (address + hugePage) & ~(hugePage - 1)
        // Less a few chunk headers, so that the block ends just before the boundary.
        let filler = Int(nextHugePage - address) - 64
        // Kept where the optimizer sees it used: an allocation nothing reads may be left out.
        if filler > 0, let block = malloc(filler) { fillers.withLock { $0.append(UInt(bitPattern: block)) } }
        return base
        #else
        return nil
        #endif
    }

    /// Whether the `malloc` this process calls is the C library's own (not a sanitizer's or a
    /// preloaded allocator's).
    public static var usesGlibcMalloc: Bool {
        #if canImport(Glibc)
        guard let libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD) else { return false }
        defer { dlclose(libc) }
        guard let own = dlsym(libc, "malloc"), let used = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc") else { return false }
        return own == used
        #else
        return false
        #endif
    }

    #if canImport(Glibc)
    /// `madvise` mode of `/sys/kernel/mm/transparent_hugepage/enabled` (`always` needs no advice,
    /// `never` takes none).
    private static var systemLeavesItToProcesses: Bool {
        guard let mode = SystemFile.prefix(atPath: "/sys/kernel/mm/transparent_hugepage/enabled", maxLength: 64) else { return false }
        // Bytes compared, not `String.contains`, which goes through Foundation's string search.
        let wanted = Array("[madvise]".utf8)
        return mode.indices.contains { start in mode[start...].starts(with: wanted) }
    }
    #endif
}
