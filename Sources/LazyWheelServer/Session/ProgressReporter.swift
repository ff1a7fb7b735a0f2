import Foundation
import JSONRPC

/// A `workDoneToken` (LSP `ProgressToken`: an integer or a string).
public typealias ProgressToken = RequestID

/// Sends LSP work-done progress (`$/progress` with `begin`, `report`, `end`) for one request whose
/// params carried a `workDoneToken`. Without a token every call does nothing.
public final class ProgressReporter: Sendable {
    private let token: ProgressToken?
    private let send: @Sendable (NotificationMessage) -> Void

    init(token: ProgressToken?, send: @escaping @Sendable (NotificationMessage) -> Void) {
        self.token = token
        self.send = send
    }

    /// Starts the progress with a title shown by the client.
    public func begin(_ title: String, message: String? = nil, cancellable: Bool = true) {
        var value: [String: JSONValue] = ["kind": "begin", "title": .string(title), "cancellable": .bool(cancellable)]
        if let message { value["message"] = .string(message) }
        emit(value)
    }

    /// Reports a step; `percentage` 0…100 when known.
    public func report(_ message: String, percentage: Int? = nil) {
        var value: [String: JSONValue] = ["kind": "report", "message": .string(message)]
        if let percentage { value["percentage"] = .int(max(0, min(100, percentage))) }
        emit(value)
    }

    /// Ends the progress.
    public func end(_ message: String? = nil) {
        var value: [String: JSONValue] = ["kind": "end"]
        if let message { value["message"] = .string(message) }
        emit(value)
    }

    private func emit(_ value: [String: JSONValue]) {
        guard let token else { return }
        send(NotificationMessage(method: "$/progress", params: ["token": token.jsonValue, "value": .object(value)]))
    }
}
