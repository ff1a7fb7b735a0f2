import Foundation

/// A JSON-RPC 2.0 request id: an integer or a string (JSON-RPC 2.0 §4; LSP `integer | string`).
public enum RequestID: Hashable, Sendable, Codable, CustomStringConvertible {
    case int(Int)
    case string(String)
    /// A string id holding a UTF-16 surrogate without its pair (`"\ud800"`), which no Swift
    /// string can hold (decoding gives U+FFFD): kept as the JSON text between its quotes, so the
    /// reply carries the id back exactly and the client can match it. Made only by
    /// ``IncomingMessage/init(body:)``; the connection writes it into the reply's bytes.
    case unpairedSurrogates(jsonText: String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a request id must be an integer or a string")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .unpairedSurrogates(let text): try container.encode(text)
        }
    }

    /// The id as it appears on the wire.
    public var jsonValue: JSONValue {
        switch self {
        case .int(let value): return .int(value)
        case .string(let value): return .string(value)
        case .unpairedSurrogates(let text): return .string(text)
        }
    }

    /// The id in `json`, when it is an integer or a string.
    public init?(_ json: JSONValue) {
        switch json {
        case .int(let value): self = .int(value)
        case .string(let value): self = .string(value)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .unpairedSurrogates(let text): return "\"\(text)\""
        }
    }
}

/// A JSON-RPC 2.0 error code (JSON-RPC 2.0 §5.1, LSP "ErrorCodes" / "LSPErrorCodes").
///
/// Code ranges:
/// - -32768 ... -32000 are reserved by JSON-RPC; -32700 and -32600 ... -32603 are the standard ones.
/// - -32099 ... -32000 are JSON-RPC's "server error" range. LSP takes -32002 and -32001 from it.
///   **A server defines its own codes in ``serverDefinedRange`` (-32099 ... -32003)** with
///   ``init(serverDefined:)``, so they can never collide with a standard code.
/// - -32899 ... -32800 are reserved by LSP (-32800 request cancelled, -32801 content modified,
///   -32802 server cancelled, -32803 request failed).
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Invalid JSON was received (not UTF-8, not JSON, or an unreadable frame).
    public static let parseError = ErrorCode(rawValue: -32700)
    /// The JSON is not a valid request object (wrong member types, missing `method`, ...).
    public static let invalidRequest = ErrorCode(rawValue: -32600)
    /// The method does not exist or is not available.
    public static let methodNotFound = ErrorCode(rawValue: -32601)
    /// The params do not decode as the method's params type.
    public static let invalidParams = ErrorCode(rawValue: -32602)
    /// A bug or unexpected condition in the server.
    public static let internalError = ErrorCode(rawValue: -32603)
    /// A request other than `initialize` arrived before `initialize` (LSP).
    public static let serverNotInitialized = ErrorCode(rawValue: -32002)
    /// A failure with no more specific code (LSP).
    public static let unknownErrorCode = ErrorCode(rawValue: -32001)
    /// The client cancelled the request with `$/cancelRequest` (LSP).
    public static let requestCancelled = ErrorCode(rawValue: -32800)
    /// The content the request was about changed, so the result is obsolete (LSP).
    public static let contentModified = ErrorCode(rawValue: -32801)
    /// The request was understood and valid, but failed (LSP 3.17).
    public static let requestFailed = ErrorCode(rawValue: -32803)

    /// The codes a server may assign to its own errors (part of JSON-RPC's server error range
    /// that neither JSON-RPC nor LSP use).
    public static let serverDefinedRange: ClosedRange<Int> = -32099 ... -32003

    /// A server-defined code; nil when `rawValue` lies outside ``serverDefinedRange``.
    public init?(serverDefined rawValue: Int) {
        guard Self.serverDefinedRange.contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { String(rawValue) }
}

/// The `error` member of a JSON-RPC 2.0 response (JSON-RPC 2.0 §5.1): code, message, optional data.
public struct ResponseError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var data: JSONValue?

    public init(code: ErrorCode, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "error \(code.rawValue): \(message)" }

    /// The body could not be read as JSON.
    public static func parseError(_ message: String) -> ResponseError {
        ResponseError(code: .parseError, message: message)
    }

    /// The JSON is not a valid JSON-RPC request.
    public static func invalidRequest(_ message: String) -> ResponseError {
        ResponseError(code: .invalidRequest, message: message)
    }

    /// No handler exists for `method`.
    public static func methodNotFound(_ method: String) -> ResponseError {
        ResponseError(code: .methodNotFound, message: "method not found: \(method)")
    }

    /// The params are not what the method expects.
    public static func invalidParams(_ message: String) -> ResponseError {
        ResponseError(code: .invalidParams, message: message)
    }

    /// Something went wrong inside the server.
    public static func internalError(_ message: String) -> ResponseError {
        ResponseError(code: .internalError, message: message)
    }

    /// The request was cancelled by the client.
    public static let cancelled = ResponseError(code: .requestCancelled, message: "request cancelled")

    /// The server has not received `initialize` yet.
    public static let serverNotInitialized = ResponseError(
        code: .serverNotInitialized, message: "the server has not been initialized")

    /// The JSON form of this error object.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["code": .int(code.rawValue), "message": .string(message)]
        if let data { members["data"] = data }
        return .object(members)
    }
}

/// A JSON-RPC 2.0 request: a call that expects exactly one response with the same id.
public struct RequestMessage: Hashable, Sendable {
    public var id: RequestID
    public var method: String
    /// `params`, an object or an array; nil when absent.
    public var params: JSONValue?

    public init(id: RequestID, method: String, params: JSONValue? = nil) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// The wire form: `{"jsonrpc":"2.0","id":…,"method":…,"params":…}`.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["jsonrpc": "2.0", "id": id.jsonValue, "method": .string(method)]
        if let params { members["params"] = params }
        return .object(members)
    }
}

/// A JSON-RPC 2.0 notification: a request without id, which is never answered.
public struct NotificationMessage: Hashable, Sendable {
    public var method: String
    public var params: JSONValue?

    public init(method: String, params: JSONValue? = nil) {
        self.method = method
        self.params = params
    }

    /// The wire form: `{"jsonrpc":"2.0","method":…,"params":…}`.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { members["params"] = params }
        return .object(members)
    }
}

/// A JSON-RPC 2.0 response: the result of a request, or its error.
public struct ResponseMessage: Hashable, Sendable {
    /// The id of the request answered; nil (JSON `null`) when it could not be determined.
    public var id: RequestID?
    public var result: Result<JSONValue, ResponseError>

    public init(id: RequestID?, result: Result<JSONValue, ResponseError>) {
        self.id = id
        self.result = result
    }

    /// The wire form: `{"jsonrpc":"2.0","id":…,"result":…}` or `{…,"error":{…}}`.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["jsonrpc": "2.0", "id": id?.jsonValue ?? .null]
        switch result {
        case .success(let value): members["result"] = value
        case .failure(let error): members["error"] = error.jsonValue
        }
        return .object(members)
    }
}

/// A body that is not a valid JSON-RPC 2.0 message, with what could be salvaged from it.
public struct InvalidMessage: Hashable, Sendable, CustomStringConvertible {
    /// The id, when one could be read (the error response must carry it); nil means `null`.
    public var id: RequestID?
    /// The error to answer with (-32700 or -32600).
    public var error: ResponseError
    /// Whether the body looked like a response (has no `method`, has `result` or `error`).
    /// Responses are never answered, only logged.
    public var looksLikeResponse: Bool

    public init(id: RequestID?, error: ResponseError, looksLikeResponse: Bool = false) {
        self.id = id
        self.error = error
        self.looksLikeResponse = looksLikeResponse
    }

    public var description: String { "invalid message (id \(id?.description ?? "null")): \(error.message)" }
}

/// What a message body turned out to be, per JSON-RPC 2.0 §4–§5.
public enum IncomingMessage: Hashable, Sendable {
    case request(RequestMessage)
    case notification(NotificationMessage)
    case response(ResponseMessage)
    case invalid(InvalidMessage)

    /// Classifies a message body. Never throws: anything unusable becomes ``invalid(_:)`` with
    /// -32700 (not UTF-8, not JSON) or -32600 (wrong shape or member types) and a precise message.
    /// Batches (JSON arrays) are not supported by LSP and are rejected with -32600.
    public init(body: Data) {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: body)
        } catch {
            // The id, when it can still be read, lets the client match the error to its request.
            self = .invalid(InvalidMessage(id: Self.recoverID(from: body), error: .parseError(error.description)))
            return
        }
        self = Self.classify(json)
        if case .request(var request) = self, case .string(let id) = request.id, id.unicodeScalars.contains("\u{FFFD}"),
           case .string(let text)? = Self.recoverID(from: body), Self.escapesSurrogate(text) {
            request.id = .unpairedSurrogates(jsonText: text)
            self = .request(request)
        }
    }

    /// Whether the JSON string text `text` (between its quotes) has a `\uD800`…`\uDFFF` escape.
    private static func escapesSurrogate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            if index + 3 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] | 0x20 == UInt8(ascii: "d"),
               let digit = Int(String(UnicodeScalar(bytes[index + 3])), radix: 16), digit >= 8 {
                return true
            }
            index += 2
        }
        return false
    }

    /// The top-level `"id"` of a body that is not valid JSON (broken UTF-8, a syntax error, a body
    /// cut to its head), read by a lenient scan; nil when none is found at the top level.
    public static func recoverID(from body: Data) -> RequestID? {
        let bytes = [UInt8](body)
        var depth = 0
        var index = 0
        var expectingKey = false
        func readString(from start: Int) -> (String, Int)? {
            var end = start + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard end < bytes.count else { return nil }
            return (String(decoding: bytes[(start + 1)..<end], as: UTF8.self), end + 1)
        }
        func skipSpace(_ at: Int) -> Int {
            var at = at
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
            return at
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                depth += 1
                expectingKey = depth == 1
                index += 1
            case UInt8(ascii: "["):
                depth += 1
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                index += 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
                index += 1
            case UInt8(ascii: "\""):
                guard let (text, next) = readString(from: index) else { return nil }
                index = next
                guard depth == 1, expectingKey else { continue }
                expectingKey = false
                guard text == "id" else { continue }
                var at = skipSpace(index)
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { return nil }
                at = skipSpace(at + 1)
                guard at < bytes.count else { return nil }
                if bytes[at] == UInt8(ascii: "\"") {
                    return readString(from: at).map { .string($0.0) }
                }
                var end = at
                while end < bytes.count, bytes[end] == UInt8(ascii: "-") || (0x30...0x39).contains(bytes[end]) { end += 1 }
                guard end < bytes.count, let number = Int(String(decoding: bytes[at..<end], as: UTF8.self)) else { return nil }
                return .int(number)
            default:
                index += 1
            }
        }
        return nil
    }

    /// Classifies an already parsed message.
    public static func classify(_ json: JSONValue) -> IncomingMessage {
        guard case .object(let members) = json else {
            if case .array = json {
                return .invalid(InvalidMessage(
                    id: nil, error: .invalidRequest("batch requests (JSON arrays) are not supported")))
            }
            return .invalid(InvalidMessage(
                id: nil, error: .invalidRequest("a message must be a JSON object, got \(json.typeName)")))
        }
        let isResponse = members["method"] == nil && (members["result"] != nil || members["error"] != nil)

        // The id first, so every later error can carry it.
        var id: RequestID?
        if let rawID = members["id"], !(isResponse && rawID == .null) {
            guard let parsed = RequestID(rawID) else {
                return .invalid(InvalidMessage(
                    id: nil,
                    error: .invalidRequest("\"id\" must be an integer or a string, got \(rawID.typeName)"),
                    looksLikeResponse: isResponse))
            }
            id = parsed
        }
        func invalid(_ message: String) -> IncomingMessage {
            .invalid(InvalidMessage(id: id, error: .invalidRequest(message), looksLikeResponse: isResponse))
        }

        guard let version = members["jsonrpc"] else { return invalid("\"jsonrpc\" is missing; expected \"2.0\"") }
        guard version == "2.0" else { return invalid("\"jsonrpc\" must be \"2.0\", got \(version)") }

        if let method = members["method"] {
            guard case .string(let name) = method else {
                return invalid("\"method\" must be a string, got \(method.typeName)")
            }
            var params: JSONValue?
            switch members["params"] {
            case nil, .null?: params = nil
            case .object?, .array?: params = members["params"]
            case let other?: return invalid("\"params\" must be an object or an array, got \(other.typeName)")
            }
            if let id {
                return .request(RequestMessage(id: id, method: name, params: params))
            }
            return .notification(NotificationMessage(method: name, params: params))
        }

        guard isResponse else { return invalid("message has neither \"method\" nor \"result\"/\"error\"") }
        if members["result"] != nil && members["error"] != nil {
            return invalid("a response must not have both \"result\" and \"error\"")
        }
        if members["id"] == nil { return invalid("a response must have an \"id\"") }
        if let error = members["error"] {
            guard case .object(let fields) = error else {
                return invalid("\"error\" must be an object, got \(error.typeName)")
            }
            guard let code = fields["code"]?.intValue, case .string(let message)? = fields["message"] else {
                return invalid("\"error\" must have an integer \"code\" and a string \"message\"")
            }
            let responseError = ResponseError(code: ErrorCode(rawValue: code), message: message, data: fields["data"])
            return .response(ResponseMessage(id: id, result: .failure(responseError)))
        }
        return .response(ResponseMessage(id: id, result: .success(members["result"] ?? .null)))
    }
}
