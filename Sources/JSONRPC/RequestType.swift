import Foundation

/// A JSON-RPC request declared once as a type: its method name, its params (the conforming type
/// itself) and its response type — the pattern of sourcekit-lsp's `LanguageServerProtocol`.
///
/// Params are decoded from the request's `params` (an absent or null `params` decodes as `{}`),
/// so a request without params is an empty struct.
public protocol RequestType: Codable, Sendable {
    /// The JSON-RPC method name, for example `"initialize"`.
    static var method: String { get }
    /// What a successful request answers with (``VoidResponse`` for `null`).
    associatedtype Response: Codable & Sendable
}

/// A JSON-RPC notification declared once as a type: its method name and params (the type itself).
public protocol NotificationType: Codable, Sendable {
    /// The JSON-RPC method name, for example `"initialized"`.
    static var method: String { get }
}

/// A response that is JSON `null` (LSP `shutdown`, for example).
public struct VoidResponse: Codable, Hashable, Sendable {
    public init() {}

    public init(from decoder: any Decoder) throws {}

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}

/// `$/cancelRequest` (LSP "Cancellation Support"): the client no longer needs request `id`.
/// ``JSONRPCConnection`` handles it itself; servers do not register it.
public struct CancelRequestNotification: NotificationType, Hashable {
    public static let method = "$/cancelRequest"
    public var id: RequestID

    public init(id: RequestID) { self.id = id }
}

extension RequestType {
    /// Decodes the params of a request for this type; failures are -32602 with the coding path.
    public static func decode(params: JSONValue?) throws(ResponseError) -> Self {
        try decodeParams(Self.self, method: method, params: params)
    }

    /// This request as an `R`, with `reply` retyped to answer an `R`; nil when it is another type.
    ///
    /// Lets a ``MessageHandler`` route its generic `handle(request:id:cancellation:reply:)`:
    /// `if let (hover, reply) = request.matching(HoverRequest.self, reply: reply) { … }`.
    public func matching<R: RequestType>(
        _ type: R.Type,
        reply: @escaping @Sendable (Result<Response, ResponseError>) -> Void
    ) -> (R, @Sendable (Result<R.Response, ResponseError>) -> Void)? {
        guard let typed = self as? R else { return nil }
        return (typed, { result in
            // `Self` is `R` here, so `R.Response` is `Response`.
            reply(result.map { $0 as! Response })
        })
    }

    /// The wire params of this request.
    public func encodedParams() throws -> JSONValue { try JSONValue(encoding: self) }
}

extension NotificationType {
    /// Decodes the params of a notification for this type; failures are -32602 with the coding path.
    public static func decode(params: JSONValue?) throws(ResponseError) -> Self {
        try decodeParams(Self.self, method: method, params: params)
    }
}

/// Decodes `params` as `type`; an absent or null `params` decodes as `{}`.
private func decodeParams<T: Decodable>(_ type: T.Type, method: String, params: JSONValue?)
    throws(ResponseError) -> T
{
    let json = (params == nil || params == .null) ? JSONValue.object([:]) : params!
    do {
        return try json.decode(type)
    } catch let error as DecodingError {
        throw .invalidParams("invalid params for \(method): \(describe(error))")
    } catch {
        throw .invalidParams("invalid params for \(method): \(error)")
    }
}

/// A message like `at params.position.line: expected Int, found a string`.
func describe(_ error: DecodingError) -> String {
    func path(_ codingPath: [any CodingKey]) -> String {
        var text = "params"
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += ".\(key.stringValue)"
            }
        }
        return text
    }
    switch error {
    case .keyNotFound(let key, let context):
        return "at \(path(context.codingPath)): missing required member \"\(key.stringValue)\""
    case .typeMismatch(let type, let context):
        return "at \(path(context.codingPath)): expected \(type); \(context.debugDescription)"
    case .valueNotFound(let type, let context):
        return "at \(path(context.codingPath)): expected \(type), found null"
    case .dataCorrupted(let context):
        return "at \(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
        return "\(error)"
    }
}

/// The methods a server understands, each declared once as a ``RequestType`` or
/// ``NotificationType`` (like sourcekit-lsp's `MessageRegistry`).
///
/// ``JSONRPCConnection`` uses it to turn a request's method into a type: an unknown method is
/// answered with -32601 and params that do not decode with -32602 naming the offending member.
public struct MessageRegistry: Sendable {
    private let requests: [String: any RequestType.Type]
    private let notifications: [String: any NotificationType.Type]

    /// A registry of `requests` and `notifications`. A method listed twice keeps its last type.
    public init(requests: [any RequestType.Type], notifications: [any NotificationType.Type] = []) {
        var requestTable: [String: any RequestType.Type] = [:]
        for type in requests { requestTable[type.method] = type }
        var notificationTable: [String: any NotificationType.Type] = [:]
        for type in notifications { notificationTable[type.method] = type }
        self.requests = requestTable
        self.notifications = notificationTable
    }

    /// The request type registered for `method`.
    public func requestType(for method: String) -> (any RequestType.Type)? { requests[method] }

    /// The notification type registered for `method`.
    public func notificationType(for method: String) -> (any NotificationType.Type)? { notifications[method] }

    /// Every registered request method, sorted.
    public var requestMethods: [String] { requests.keys.sorted() }

    /// Every registered notification method, sorted.
    public var notificationMethods: [String] { notifications.keys.sorted() }

    /// Decodes a request into its registered type: -32601 for an unknown method, -32602 for bad params.
    public func decode(_ request: RequestMessage) throws(ResponseError) -> any RequestType {
        guard let type = requests[request.method] else { throw .methodNotFound(request.method) }
        return try type.decode(params: request.params)
    }

    /// Decodes a notification into its registered type: -32601 for an unknown method, -32602 for bad params.
    public func decode(_ notification: NotificationMessage) throws(ResponseError) -> any NotificationType {
        guard let type = notifications[notification.method] else { throw .methodNotFound(notification.method) }
        return try type.decode(params: notification.params)
    }
}
