import Foundation
import JSONRPC
import LazyWheelCore

/// `initialize` (LSP): the first request; sets the session's options.
struct InitializeRequest: ServerMethod {
    static let method = "initialize"

    struct ClientInfo: Codable, Sendable {
        var name: String
        var version: String?
    }

    var processId: Int?
    var clientInfo: ClientInfo?
    var rootUri: String?
    var capabilities: JSONValue?
    var initializationOptions: InitializationOptions?
    var workDoneToken: ProgressToken?

    /// `initializationOptions`: an object of ``ServerOptions``; `null`, an empty array (what an
    /// empty Lua table encodes to) and an empty object all mean "no options", as clients differ.
    struct InitializationOptions: Codable, Sendable {
        var options: ServerOptions?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                options = nil
            } else if let array = try? container.decode([JSONValue].self) {
                guard array.isEmpty else {
                    throw DecodingError.typeMismatch(
                        ServerOptions.self,
                        .init(codingPath: decoder.codingPath, debugDescription: "initializationOptions must be an object, not a non-empty array"))
                }
                options = nil
            } else {
                options = try container.decode(ServerOptions.self)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(options)
        }
    }

    struct Response: Codable, Sendable {
        struct ServerInfo: Codable, Sendable {
            var name: String
            var version: String
        }
        var serverInfo: ServerInfo
        var capabilities: JSONValue
    }

    func answerFromMemory(in session: ServerSession) throws -> Response? {
        try session.configure(with: initializationOptions?.options)
        session.languageServer.configure(clientCapabilities: self.capabilities)
        let methods = LazyWheelService.registry.requestMethods.map(JSONValue.string)
        var capabilities: JSONValue = [
            "experimental": [
                "lazywheel": [
                    "protocolVersion": 1,
                    "methods": .array(methods),
                    "notifications": ["$/progress", "$/cancelRequest"],
                ],
            ],
        ]
        capabilities = .object(capabilities.objectValue!.merging(LanguageServerState.capabilities) { current, _ in current })
        return Response(serverInfo: .init(name: "lazywheel", version: LazyWheelVersion.current), capabilities: capabilities)
    }

    func answer(in context: RequestContext) throws -> Response {
        try answerFromMemory(in: context.session)!
    }
}

/// `initialized` (LSP): the client received the `initialize` result. Nothing to do.
struct InitializedNotification: NotificationType {
    static let method = "initialized"
}

/// `shutdown` (LSP): close every handle; after it only `exit` is accepted.
struct ShutdownRequest: ServerMethod {
    static let method = "shutdown"
    typealias Response = VoidResponse

    func answerFromMemory(in session: ServerSession) throws -> VoidResponse? {
        session.wheels.removeAll()
        return VoidResponse()
    }

    func answer(in context: RequestContext) throws -> VoidResponse {
        try answerFromMemory(in: context.session)!
    }
}

/// `exit` (LSP): the process ends, with code 0 after `shutdown` and 1 otherwise.
struct ExitNotification: NotificationType {
    static let method = "exit"
}
