import Foundation
import LazyZip
import WorkScheduling

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the disk cache's entries on a background queue, so that an answer from the network
/// reaches the code waiting on it without waiting on the file system.
///
/// On a fresh cache each entry also creates its folder, and `mkdir` on ext4 costs more than the
/// rest of handling an index page. Entries are published atomically (a temporary sibling, then
/// `rename`), one at a time, in the order asked.
///
/// A change still queued is visible to ``pendingChange(at:)``, so a cache reads its own writes at
/// once; several changes to one file before the queue reaches it are written once, the last one.
/// ``drain()`` waits until every change asked so far is on disk: a process calls it before it ends.
public final class CacheEntryWriter: Sendable {
    /// The writer a process's caches share (``drain()`` at exit covers them all).
    public static let shared = CacheEntryWriter()

    /// What is to become of one file.
    public enum Change: Sendable, Equatable {
        case contents(Data)
        case removal
    }

    private struct Queued {
        var generation: UInt64
        var change: Change
    }

    private struct State {
        var queued: [String: Queued] = [:]
        var nextGeneration: UInt64 = 0
        /// Folders made or found by this writer: each is created once, not once per entry.
        var folders: Set<String> = []
    }

    /// One thread, at a lower priority (``lowerThisThreadsPriority()``), allocating little: no
    /// huge page for its heap.
    private let writes = WorkerPool(label: "lazywheel.cache-writes", width: 1, parallelism: 1)
    private let state = Locked(State())

    public init() {}

    /// Publishes `data` as `file`, creating its folder if needed; failures are ignored (a cache
    /// that cannot be written is only a slower cache).
    public func write(_ data: Data, to file: String) {
        enqueue(.contents(data), for: file)
    }

    /// Removes `file`, if it exists.
    public func remove(_ file: String) {
        enqueue(.removal, for: file)
    }

    /// The change asked for `file` that is not on disk yet, if any.
    public func pendingChange(at file: String) -> Change? {
        state.withLock { $0.queued[file]?.change }
    }

    /// Waits until every change asked before this call is on disk.
    public func drain() {
        // Nothing ever asked (a run answered from the cache): no thread to start just to say so.
        guard state.withLock({ $0.nextGeneration > 0 }) else { return }
        // The pool's one thread takes jobs in order: this one runs after every write before it.
        try? writes.run {}
    }

    private func enqueue(_ change: Change, for file: String) {
        let alreadyQueued = state.withLock { state -> Bool in
            state.nextGeneration += 1
            let wasQueued = state.queued[file] != nil
            state.queued[file] = Queued(generation: state.nextGeneration, change: change)
            return wasQueued
        }
        // A job already queued for this file writes whatever is newest when it runs.
        if !alreadyQueued {
            writes.submit {
                Self.lowerThisThreadsPriority()
                self.apply(file)
            }
        }
    }

    /// Gives the writer's thread nice 10, so that when the CPUs are busy the threads a resolution
    /// waits on (parsing an answer, asking the next question) come first; the writes still get
    /// about a tenth of a contended CPU, and all of an idle one, which a resolution waiting on the
    /// network mostly leaves. (Linux keeps a nice value per thread: `PRIO_PROCESS` with 0 is the
    /// calling thread.)
    private static func lowerThisThreadsPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    /// Writes the newest change of `file`, again while another one arrived during the write (in
    /// this job, not a new one, so that ``drain()`` covers it).
    private func apply(_ file: String) {
        while let queued = state.withLock({ $0.queued[file] }) {
            switch queued.change {
            case .contents(let data): publish(data, as: file)
            case .removal: unlink(file)
            }
            let written = state.withLock { state -> Bool in
                guard state.queued[file]?.generation == queued.generation else { return false }
                state.queued[file] = nil
                return true
            }
            if written { return }
        }
    }

    /// Writes a temporary sibling of `file` and renames it, so a reader sees either the old entry
    /// or the whole new one. No `fsync`: entries carry a CRC-32 that a read checks.
    private func publish(_ data: Data, as file: String) {
        guard let slash = file.lastIndex(of: "/") else { return }
        let folder = String(file[..<slash])
        let temporary = "\(folder)/.\(file[file.index(after: slash)...]).\(UUID().uuidString).tmp"
        // A second try when a folder this writer made is gone (the cache was deleted while a
        // long-lived `lazywheel serve` runs): the folders are made again.
        for attempt in 0..<2 {
            if attempt > 0 { state.withLock { $0.folders.removeAll() } }
            guard makeFolder(folder) else { return }
            do {
                try PositionalIO.createFile(atPath: temporary, contents: data)
            } catch {
                unlink(temporary)  // when it was made but not filled (a full disk)
                continue
            }
            if rename(temporary, file) != 0 { unlink(temporary) }
            return
        }
    }

    /// Creates `folder` and any missing parents; true when it exists afterwards. Asks the file
    /// system once per folder and writer.
    private func makeFolder(_ folder: String) -> Bool {
        if state.withLock({ $0.folders.contains(folder) }) { return true }
        guard (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) != nil
        else { return false }
        state.withLock { _ = $0.folders.insert(folder) }
        return true
    }
}
