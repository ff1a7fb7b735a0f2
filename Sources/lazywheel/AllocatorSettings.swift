#if canImport(Glibc)
import Glibc
#endif
import WorkScheduling

/// glibc `malloc` settings for a command that does one job and ends, applied before the job
/// starts (not for `serve`, which runs for a whole session and should give memory back).
///
/// A long project page makes thousands of small objects on the prefetch workers' threads, and
/// glibc's defaults grow each thread's heap in small steps (an `mprotect` call each) and give
/// freed memory at the top of a heap back to the kernel at 128 KiB, only to fault it in again a
/// moment later: on a warm `resolve` over long pages that was about a tenth of the wall time.
/// Growing by 16 MiB and keeping up to 64 MiB of free memory removes most of it; pages are still
/// only resident once touched, and the process ends soon anyway. Blocks up to 32 MiB come from
/// the heap too, not from a fresh `mmap` each (glibc's threshold starts at 128 KiB): a cached
/// page archive or METADATA file read into a reused block skips zero-filling new pages.
/// (uv replaces its allocator for the same reasons.)
enum AllocatorSettings {
    static func applyForOneJob() {
        #if canImport(Glibc)
        // `mallopt` is in <malloc.h>, which the Glibc module does not import; its parameter
        // numbers are part of glibc's ABI.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, topPad: Int32 = -2, mmapThreshold: Int32 = -3
        _ = mallopt(topPad, 16 << 20)
        _ = mallopt(trimThreshold, 64 << 20)
        _ = mallopt(mmapThreshold, 32 << 20)
        HugePageHeaps.enable()
        #endif
    }
}
