import Dispatch
import Foundation
import JSONRPC
import WorkScheduling

/// `workspace/configuration` (LSP), sent by the server: the client's settings of section
/// `lazywheel` (eglot's `eglot-workspace-configuration`, Neovim's `settings`, VS Code's
/// `lazywheel.*`), asked after `initialized` and after each `workspace/didChangeConfiguration`.
public struct WorkspaceConfigurationRequest: RequestType {
    public static let method = "workspace/configuration"
    public typealias Response = [JSONValue]

    public struct Item: Codable, Sendable {
        public var section: String?
    }

    public var items: [Item]

    init(section: String) { items = [Item(section: section)] }
}

/// `workspace/applyEdit` (LSP), sent by the server when a command (a code lens) changes a document.
public struct ApplyWorkspaceEditRequest: RequestType {
    public static let method = "workspace/applyEdit"
    public typealias Response = JSONValue

    var label: String?
    var edit: WorkspaceEdit
}

/// `workspace/didChangeConfiguration` (LSP): the client's settings changed. `settings` may carry
/// them (`{"lazywheel": {...}}` or the options themselves); when it does not, the server asks
/// with `workspace/configuration`.
struct DidChangeConfigurationNotification: NotificationType {
    static let method = "workspace/didChangeConfiguration"
    var settings: JSONValue?
}

/// Requests the language server sends to the client, once the connection provides a way to.
final class ClientRequests: Sendable {
    struct Senders: Sendable {
        var configuration: @Sendable (WorkspaceConfigurationRequest, @escaping @Sendable ([JSONValue]?) -> Void) -> Void
        var applyEdit: @Sendable (ApplyWorkspaceEditRequest) -> Void
    }

    private let senders = Locked<Senders?>(nil)
    /// Whether the client said `workspace.configuration: true` in `initialize`.
    private let clientAnswersConfiguration = Locked(false)

    func connect(_ senders: Senders) {
        self.senders.withLock { $0 = senders }
    }

    func configure(clientCapabilities: JSONValue?) {
        clientAnswersConfiguration.withLock { $0 = clientCapabilities?["workspace"]?["configuration"]?.boolValue == true }
    }

    /// Asks the client for the `lazywheel` section; `reply` gets nil when the client cannot answer.
    func configuration(reply: @escaping @Sendable (JSONValue?) -> Void) {
        guard clientAnswersConfiguration.withLock({ $0 }), let send = senders.withLock({ $0?.configuration }) else {
            reply(nil)
            return
        }
        send(WorkspaceConfigurationRequest(section: "lazywheel")) { answer in reply(answer?.first) }
    }

    func applyEdit(_ request: ApplyWorkspaceEditRequest) {
        senders.withLock { $0?.applyEdit }?(request)
    }
}

extension ServerOptions {
    /// Options from a client's settings object: unknown keys are ignored and empty strings mean
    /// "not set" (VS Code's defaults are empty strings).
    static func fromSettings(_ settings: JSONValue) -> ServerOptions? {
        guard case .object(var object) = settings else { return nil }
        if case .object(let nested)? = object["lazywheel"] { object = nested }
        object = object.filter { _, value in
            if case .string(let text) = value { return !text.isEmpty }
            if case .null = value { return false }
            return true
        }
        return try? JSONValue.object(object).decode(ServerOptions.self)
    }
}

extension LanguageServerState {
    /// Applies settings from `workspace/configuration` or `workspace/didChangeConfiguration`.
    func apply(settings: JSONValue?, session: ServerSession) {
        // Settings name values to use; an empty object changes nothing (and keeps the caches).
        guard let settings, let options = ServerOptions.fromSettings(settings), options != ServerOptions() else { return }
        let before = session.options
        do {
            try session.configure(with: options)
        } catch {
            session.log(.warning, "workspace settings: \(error)")
            return
        }
        // The same values as `initializationOptions` (Neovim sends both): keep what was looked up.
        guard session.options != before else { return }
        settingsChanged(session: session)
    }

    /// Asks the client for its settings and applies them; lookups wait for the answer (briefly),
    /// so the first ones use the editor's index rather than a fallback.
    func pullConfiguration(session: ServerSession) {
        let arrived = DispatchSemaphore(value: 0)
        configurationArrival.withLock { $0 = arrived }
        clientRequests.configuration { [self] settings in
            apply(settings: settings, session: session)
            configurationArrival.withLock { if $0 === arrived { $0 = nil } }
            arrived.signal()
        }
    }

    /// Waits up to two seconds for a `workspace/configuration` answer on its way.
    func waitForConfiguration() {
        guard let arrived = configurationArrival.withLock({ $0 }) else { return }
        if WorkerPool.blocking({ arrived.wait(timeout: .now() + 2) }) == .success { arrived.signal() }
    }
}
