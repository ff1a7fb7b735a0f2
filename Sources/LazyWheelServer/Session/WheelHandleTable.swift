import Foundation
import JSONRPC
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
final class WheelHandleTable: Sendable {
    private struct Entry {
        var wheel: SessionWheel
        var lastUsed: UInt64
    }

    private struct State {
        var handles: [String: WheelKey] = [:]
        var wheels: [WheelKey: Entry] = [:]
        var nextHandle = 1
        var clock: UInt64 = 0
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
            guard var entry = state.wheels[key] else { return nil }
            state.clock += 1
            entry.lastUsed = state.clock
            state.wheels[key] = entry
            return entry.wheel
        }
    }

    /// Keeps `wheel` (or the one another request registered first for the same key) and returns it.
    func insert(_ wheel: SessionWheel) -> SessionWheel {
        state.withLock { state in
            state.clock += 1
            if var existing = state.wheels[wheel.key] {
                existing.lastUsed = state.clock
                state.wheels[wheel.key] = existing
                return existing.wheel
            }
            state.wheels[wheel.key] = Entry(wheel: wheel, lastUsed: state.clock)
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
            return handle
        }
    }

    /// The wheel behind `handle`, marked as just used.
    func wheel(forHandle handle: String) throws(WheelHandleError) -> SessionWheel {
        let found: SessionWheel? = state.withLock { state in
            guard let key = state.handles[handle], var entry = state.wheels[key] else { return nil }
            state.clock += 1
            entry.lastUsed = state.clock
            state.wheels[key] = entry
            return entry.wheel
        }
        guard let found else { throw .unknown(handle) }
        return found
    }

    /// Forgets `handle`; its wheel stays cached for later opens.
    func close(handle: String) throws(WheelHandleError) {
        let removed = state.withLock { state in
            let removed = state.handles.removeValue(forKey: handle) != nil
            Self.trimClosedWheels(&state, keeping: retainedClosedWheels)
            return removed
        }
        guard removed else { throw .unknown(handle) }
    }

    /// Closes every handle and drops every cached wheel (on `shutdown`).
    func removeAll() {
        state.withLock { state in
            state.handles.removeAll()
            state.wheels.removeAll()
        }
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

    /// Evicts the cached bytes of the least recently used wheels until the total is within `budget`.
    /// The most recently used wheel is never evicted (it is being answered from right now).
    func enforce(budget: Int64) {
        let byAge = state.withLock { state in
            state.wheels.values.sorted { $0.lastUsed < $1.lastUsed }.map(\.wheel)
        }
        var total = byAge.reduce(Int64(0)) { $0 + $1.cachedBytes }
        for wheel in byAge.dropLast() where total > budget {
            let bytes = wheel.cachedBytes
            guard bytes > 0 else { continue }
            wheel.opened.wheel.file.evictCachedBytes()
            total -= bytes - wheel.cachedBytes
        }
    }

    /// Drops the least recently used wheels that no handle refers to, beyond `keeping`.
    private static func trimClosedWheels(_ state: inout State, keeping: Int) {
        let referenced = Set(state.handles.values)
        let unreferenced = state.wheels.filter { !referenced.contains($0.key) }
        guard unreferenced.count > keeping else { return }
        let oldest = unreferenced.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(unreferenced.count - keeping)
        for (key, _) in oldest { state.wheels.removeValue(forKey: key) }
    }
}
