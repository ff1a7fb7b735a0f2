import Foundation

/// Thrown by blocking work that stopped because its ``CancellationToken`` was cancelled.
public struct OperationCancelled: Error, CustomStringConvertible, Sendable {
    public init() {}
    public var description: String { "the operation was cancelled" }
}

/// Cooperative cancellation for blocking work running on Dispatch worker threads.
///
/// Work checks ``isCancelled`` (or calls ``throwIfCancelled()``) between steps, and I/O in flight
/// registers a handler with ``onCancel(_:)`` that aborts it (for example `URLSessionTask.cancel()`).
/// `$/cancelRequest` in the JSON-RPC server ends up calling ``cancel()``.
public final class CancellationToken: Sendable {
    private struct State {
        var cancelled = false
        var nextID = 0
        var handlers: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Locked(State())

    public init() {}

    /// Whether ``cancel()`` has been called.
    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Cancels the work: runs every registered handler once, outside the lock.
    public func cancel() {
        let handlers: [@Sendable () -> Void] = state.withLock { state in
            guard !state.cancelled else { return [] }
            state.cancelled = true
            let all = Array(state.handlers.values)
            state.handlers.removeAll()
            return all
        }
        for handler in handlers { handler() }
    }

    /// Throws ``OperationCancelled`` when the token was cancelled.
    public func throwIfCancelled() throws {
        if isCancelled { throw OperationCancelled() }
    }

    /// Registers `handler` to run when the token is cancelled; runs it at once when it already was.
    /// Returns a key for ``removeHandler(_:)``.
    @discardableResult
    public func onCancel(_ handler: @escaping @Sendable () -> Void) -> Int? {
        let key: Int? = state.withLock { state in
            guard !state.cancelled else { return nil }
            state.nextID += 1
            state.handlers[state.nextID] = handler
            return state.nextID
        }
        if key == nil { handler() }
        return key
    }

    /// Forgets a handler registered with ``onCancel(_:)`` once its I/O finished.
    public func removeHandler(_ key: Int?) {
        guard let key else { return }
        _ = state.withLock { $0.handlers.removeValue(forKey: key) }
    }
}

extension Optional where Wrapped == CancellationToken {
    /// Throws ``OperationCancelled`` when the token is present and cancelled.
    public func throwIfCancelled() throws {
        if let token = self { try token.throwIfCancelled() }
    }
}
