#if canImport(Glibc)
import Glibc
#endif

/// Makes glibc give large blocks back to the kernel as soon as they are freed, so the memory of a
/// large reply (the server's `ReplyMemoryBudget`) leaves the process once the reply is written.
///
/// glibc otherwise raises its `mmap` threshold to the largest block freed so far (up to 32 MiB),
/// and later large replies come from the threads' heaps, whose freed space stays resident: a fixed
/// threshold (`mallopt(M_MMAP_THRESHOLD)`, mallopt(3)) keeps each block of at least ``threshold``
/// bytes a mapping of its own, so concurrent replies stay within the budget. It sets the allocator
/// of the whole process, so `serve` sets it, not the service.
enum LargeAllocations {
    /// Blocks of at least this size are mapped and unmapped on their own.
    static let threshold: Int32 = 1 << 20

    static func returnToTheSystemWhenFreed() {
        #if canImport(Glibc)
        // `mallopt` is in <malloc.h>, which the Glibc module does not import; its parameter
        // numbers are part of glibc's ABI.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let mmapThreshold: Int32 = -3
        _ = mallopt(mmapThreshold, threshold)
        #endif
    }
}
