import Foundation
import JSONRPC
import LazyWheelCore
import PackagingStandards
import WorkScheduling

/// Identifies what an `openWheel` opened: the location and the extra request headers, so two opens
/// of the same URL with the same headers share one interval cache.
struct WheelKey: Hashable, Sendable {
    var location: WheelLocation
    var headers: [String: String]
}

/// A wheel open in the session, shared by every handle (and `getMetadata {url}` call) on its key.
final class SessionWheel: Sendable {
    let key: WheelKey
    let opened: OpenedWheel
    private let parsedMetadata = Locked<(metadata: CoreMetadata, json: JSONValue)?>(nil)

    init(key: WheelKey, opened: OpenedWheel) {
        self.key = key
        self.opened = opened
    }

    /// The parsed METADATA once read: answered again without I/O, even after eviction.
    var metadata: CoreMetadata? { parsedMetadata.withLock { $0?.metadata } }

    /// The JSON form of ``metadata``, encoded once: a warm `getMetadata` only serializes it.
    var metadataJSON: JSONValue? { parsedMetadata.withLock { $0?.json } }

    /// Keeps the parsed METADATA and its JSON form.
    func remember(_ metadata: CoreMetadata) throws {
        let json = try JSONValue(encoding: metadata)
        parsedMetadata.withLock { $0 = (metadata, json) }
    }

    /// Bytes of wheel data held in its interval cache.
    var cachedBytes: Int64 { opened.wheel.file.cachedByteCount }
}

/// Why a handle could not be used.
public enum WheelHandleError: Error, Sendable, Equatable, CustomStringConvertible, ResponseErrorConvertible {
    case unknown(String)

    public var description: String {
        switch self {
        case .unknown(let handle):
            "unknown wheel handle '\(handle)': it was never opened in this session or was closed; call openWheel again"
        }
    }

    public var responseError: ResponseError { ResponseError(code: ServerErrorCode.unknownHandle, message: description) }
}

/// The session's open wheels: handles given to the client, the wheels behind them (shared per
/// URL), and the memory budget over their interval caches.
///
/// A handle stays valid until `closeWheel` or `shutdown`. Wheels whose handles are all closed stay
/// cached (up to ``retainedClosedWheels``) so a later open or hover costs no request. Over the
/// budget, the least recently used wheels lose their cached bytes (not their central directory
/// index nor parsed metadata): they refetch on demand.
///
/// Every operation costs the same whatever the number of wheels: the order of use is kept in
/// ``RecencyList``s (one of the wheels no handle refers to, one of the wheels holding bytes) and
/// the byte total is updated from the wheel a request used, so no request waits behind a scan of
/// every wheel.
final class WheelHandleTable: Sendable {
    private struct Entry {
        var wheel: SessionWheel
        /// Open handles on this wheel.
        var handles = 0
        /// Its cached bytes when last counted into ``State/countedBytes``.
        var countedBytes: Int64 = 0
    }

    private struct State {
        var handles: [String: WheelKey] = [:]
        var wheels: [WheelKey: Entry] = [:]
        /// Every wheel, least recently used first.
        var recency = RecencyList<WheelKey>()
        /// Wheels no handle refers to, least recently used first.
        var closed = RecencyList<WheelKey>()
        /// Wheels whose cache held bytes when last counted, least recently used first.
        var resident = RecencyList<WheelKey>()
        var countedBytes: Int64 = 0
        var nextHandle = 1

        mutating func markUsed(_ key: WheelKey) {
            recency.use(key)
            if closed.contains(key) { closed.use(key) }
            if resident.contains(key) { resident.use(key) }
        }

        /// Updates the total with `wheel`'s current byte count.
        mutating func recount(_ key: WheelKey, bytes: Int64) {
            guard var entry = wheels[key] else { return }
            countedBytes += bytes - entry.countedBytes
            entry.countedBytes = bytes
            wheels[key] = entry
            if bytes > 0 { resident.use(key) } else { resident.remove(key) }
        }

        mutating func drop(_ key: WheelKey) {
            guard let entry = wheels.removeValue(forKey: key) else { return }
            countedBytes -= entry.countedBytes
            recency.remove(key)
            closed.remove(key)
            resident.remove(key)
        }
    }

    /// Wheels kept after their last handle closed.
    let retainedClosedWheels: Int
    private let state = Locked(State())

    init(retainedClosedWheels: Int = 2048) {
        self.retainedClosedWheels = retainedClosedWheels
    }

    /// The cached wheel for `key`, marked as just used.
    func wheel(for key: WheelKey) -> SessionWheel? {
        state.withLock { state in
            guard let entry = state.wheels[key] else { return nil }
            state.markUsed(key)
            return entry.wheel
        }
    }

    /// Keeps `wheel` (or the one another request registered first for the same key) and returns it.
    func insert(_ wheel: SessionWheel) -> SessionWheel {
        state.withLock { state in
            if let existing = state.wheels[wheel.key] {
                state.markUsed(wheel.key)
                return existing.wheel
            }
            state.wheels[wheel.key] = Entry(wheel: wheel)
            state.recency.use(wheel.key)
            state.closed.use(wheel.key)
            Self.trimClosedWheels(&state, keeping: retainedClosedWheels)
            return wheel
        }
    }

    /// A new handle for the wheel at `key` (which must have been inserted).
    func openHandle(for key: WheelKey) -> String {
        state.withLock { state in
            let handle = "w\(state.nextHandle)"
            state.nextHandle += 1
            state.handles[handle] = key
            state.wheels[key]?.handles += 1
            state.closed.remove(key)
            state.markUsed(key)
            return handle
        }
    }

    /// The wheel behind `handle`, marked as just used.
    func wheel(forHandle handle: String) throws(WheelHandleError) -> SessionWheel {
        let found: SessionWheel? = state.withLock { state in
            guard let key = state.handles[handle], let entry = state.wheels[key] else { return nil }
            state.markUsed(key)
            return entry.wheel
        }
        guard let found else { throw .unknown(handle) }
        return found
    }

    /// Forgets `handle`; its wheel stays cached for later opens.
    func close(handle: String) throws(WheelHandleError) {
        let removed = state.withLock { state in
            guard let key = state.handles.removeValue(forKey: handle) else { return false }
            if var entry = state.wheels[key] {
                entry.handles -= 1
                state.wheels[key] = entry
                if entry.handles == 0 { state.closed.use(key) }
            }
            Self.trimClosedWheels(&state, keeping: retainedClosedWheels)
            return true
        }
        guard removed else { throw .unknown(handle) }
    }

    /// Closes every handle and drops every cached wheel (on `shutdown`).
    func removeAll() {
        state.withLock { state in state = State() }
    }

    /// How many handles are open.
    var openHandleCount: Int { state.withLock { $0.handles.count } }

    /// How many wheels are cached (open or retained).
    var cachedWheelCount: Int { state.withLock { $0.wheels.count } }

    /// Bytes held by every cached wheel's interval cache.
    var cachedBytes: Int64 {
        let wheels = state.withLock { $0.wheels.values.map(\.wheel) }
        return wheels.reduce(0) { $0 + $1.cachedBytes }
    }

    /// Counts the bytes `used` holds now (the wheel a request just read into) and evicts the cached
    /// bytes of the least recently used wheels until the total is within `budget`. The wheel being
    /// used is never evicted (it is being answered from right now). Without `used`, every wheel is
    /// counted again, in the order of use, and the most recently used one is kept.
    func enforce(budget: Int64, after used: SessionWheel? = nil) {
        let counts: [(WheelKey, Int64)]
        if let used {
            counts = [(used.key, used.cachedBytes)]
        } else {
            let wheels = state.withLock { state in
                var wheels: [SessionWheel] = []
                var cursor = state.recency.oldest
                while let key = cursor {
                    if let entry = state.wheels[key] { wheels.append(entry.wheel) }
                    cursor = state.recency.newer(than: key)
                }
                return wheels
            }
            counts = wheels.map { ($0.key, $0.cachedBytes) }
        }
        let victims: [SessionWheel] = state.withLock { state in
            for (key, bytes) in counts { state.recount(key, bytes: bytes) }
            let kept = used?.key ?? state.recency.newest
            var victims: [SessionWheel] = []
            var cursor = state.resident.oldest
            while let key = cursor, state.countedBytes > budget {
                cursor = state.resident.newer(than: key)
                guard key != kept, let entry = state.wheels[key] else { continue }
                victims.append(entry.wheel)
                state.recount(key, bytes: 0)
            }
            return victims
        }
        for wheel in victims { wheel.opened.wheel.file.evictCachedBytes() }
    }

    /// Drops the least recently used wheels that no handle refers to, beyond `keeping`.
    private static func trimClosedWheels(_ state: inout State, keeping: Int) {
        while state.closed.count > keeping, let oldest = state.closed.oldest {
            state.drop(oldest)
        }
    }
}
