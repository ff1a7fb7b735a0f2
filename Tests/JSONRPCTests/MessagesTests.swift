import Foundation
import Testing

@testable import JSONRPC
import WorkScheduling

private func classify(_ text: String) -> IncomingMessage {
    IncomingMessage(body: Data(text.utf8))
}

/// The invalid message a body classifies as, or nil when it is valid.
private func invalid(_ text: String) -> InvalidMessage? {
    if case .invalid(let invalid) = classify(text) { return invalid }
    return nil
}

struct PositionParams: Codable, Equatable {
    var line: Int
    var character: Int
}

struct HoverTestRequest: RequestType, Equatable {
    static let method = "test/hover"
    typealias Response = String
    var uri: String
    var position: PositionParams
}

struct ShutdownTestRequest: RequestType, Equatable {
    static let method = "shutdown"
    typealias Response = VoidResponse
}

struct InitializedTestNotification: NotificationType, Equatable {
    static let method = "initialized"
}

/// Bodies with a wrong JSON type, the message expected, and the id the error response carries.
private let wrongTypeCases: [(String, String, RequestID?)] = [
    (#"{"jsonrpc":"2.0","id":1,"method":7}"#, "\"method\" must be a string, got integer", .some(.int(1))),
    (#"{"jsonrpc":"2.0","id":1,"method":"a","params":"x"}"#, "\"params\" must be an object or an array, got string", .some(.int(1))),
    (#"{"jsonrpc":"2.0","id":"q","method":"a","params":5}"#, "\"params\" must be an object or an array, got integer", .some(.string("q"))),
    (#"{"jsonrpc":"2.0","id":true,"method":"a"}"#, "\"id\" must be an integer or a string, got boolean", nil),
    (#"{"jsonrpc":"2.0","id":{"a":1},"method":"a"}"#, "\"id\" must be an integer or a string, got object", nil),
    (#"{"jsonrpc":"2.0","id":1.5,"method":"a"}"#, "\"id\" must be an integer or a string, got number", nil),
    (#"{"jsonrpc":"2.0","id":null,"method":"a"}"#, "\"id\" must be an integer or a string, got null", nil),
    (#"{"id":9,"method":"a"}"#, "\"jsonrpc\" is missing", .some(.int(9))),
    (#"{"jsonrpc":"1.0","id":9,"method":"a"}"#, "\"jsonrpc\" must be \"2.0\"", .some(.int(9))),
    (#"{"jsonrpc":"2.0","id":9}"#, "neither \"method\" nor \"result\"/\"error\"", .some(.int(9))),
    (#"[{"jsonrpc":"2.0","id":1,"method":"a"}]"#, "batch requests", nil),
    ("42", "must be a JSON object, got integer", nil),
]

@Suite("JSON-RPC messages")
struct MessagesTests {
    @Test func classifiesValidMessages() {
        #expect(classify(#"{"jsonrpc":"2.0","id":1,"method":"a","params":{"x":1}}"#)
            == .request(RequestMessage(id: .int(1), method: "a", params: ["x": 1])))
        #expect(classify(#"{"jsonrpc":"2.0","id":"abc","method":"a","params":[1]}"#)
            == .request(RequestMessage(id: .string("abc"), method: "a", params: [1])))
        #expect(classify(#"{"jsonrpc":"2.0","id":2,"method":"shutdown","params":null}"#)
            == .request(RequestMessage(id: .int(2), method: "shutdown")))
        #expect(classify(#"{"jsonrpc":"2.0","method":"exit"}"#) == .notification(NotificationMessage(method: "exit")))
        #expect(classify(#"{"jsonrpc":"2.0","id":3,"result":null}"#)
            == .response(ResponseMessage(id: .int(3), result: .success(.null))))
        #expect(classify(#"{"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"nope","data":[1]}}"#)
            == .response(ResponseMessage(
                id: .int(4), result: .failure(ResponseError(code: .methodNotFound, message: "nope", data: [1])))))
        #expect(classify(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}}"#)
            == .response(ResponseMessage(id: nil, result: .failure(ResponseError(code: .parseError, message: "bad")))))
    }

    @Test func notJSONIsAParseErrorWithNullID() {
        let result = invalid("{not json")
        #expect(result?.error.code == .parseError)
        #expect(result?.id == nil)
    }

    @Test func invalidUTF8IsAParseError() {
        guard case .invalid(let result) = IncomingMessage(body: Data([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D])) else {
            Issue.record("expected an invalid message")
            return
        }
        #expect(result.error.code == .parseError)
        #expect(result.error.message.contains("UTF-8"))
        #expect(result.id == nil)
    }

    @Test(arguments: wrongTypeCases)
    func wrongTypesAreInvalidRequests(_ body: String, _ expectedMessage: String, _ expectedID: RequestID?) {
        let result = invalid(body)
        #expect(result?.error.code == .invalidRequest)
        #expect(result?.error.message.contains(expectedMessage) == true, "\(result?.error.message ?? "valid")")
        #expect(result?.id == expectedID)
        #expect(result?.looksLikeResponse == false)
    }

    @Test func malformedResponsesAreFlagged() {
        let both = invalid(#"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}}"#)
        #expect(both?.looksLikeResponse == true)
        #expect(both?.id == .int(1))
        let badError = invalid(#"{"jsonrpc":"2.0","id":1,"error":"oops"}"#)
        #expect(badError?.looksLikeResponse == true)
        #expect(badError?.error.message.contains("\"error\" must be an object") == true)
    }

    @Test func encodesWireForm() {
        #expect(RequestMessage(id: .int(1), method: "m", params: ["a": 1]).jsonValue.description
            == #"{"id":1,"jsonrpc":"2.0","method":"m","params":{"a":1}}"#)
        #expect(NotificationMessage(method: "n").jsonValue.description == #"{"jsonrpc":"2.0","method":"n"}"#)
        #expect(ResponseMessage(id: .string("x"), result: .success(.null)).jsonValue.description
            == #"{"id":"x","jsonrpc":"2.0","result":null}"#)
        #expect(ResponseMessage(id: nil, result: .failure(.parseError("bad"))).jsonValue.description
            == #"{"error":{"code":-32700,"message":"bad"},"id":null,"jsonrpc":"2.0"}"#)
    }

    @Test func standardErrorCodes() {
        #expect(ErrorCode.parseError.rawValue == -32700)
        #expect(ErrorCode.invalidRequest.rawValue == -32600)
        #expect(ErrorCode.methodNotFound.rawValue == -32601)
        #expect(ErrorCode.invalidParams.rawValue == -32602)
        #expect(ErrorCode.internalError.rawValue == -32603)
        #expect(ErrorCode.serverNotInitialized.rawValue == -32002)
        #expect(ErrorCode.requestCancelled.rawValue == -32800)
        #expect(ErrorCode(serverDefined: -32050)?.rawValue == -32050)
        #expect(ErrorCode(serverDefined: -32002) == nil)
        #expect(ErrorCode(serverDefined: -32700) == nil)
    }

    @Test func requestIDCodable() throws {
        #expect(try JSONValue(encoding: RequestID.int(5)) == .int(5))
        #expect(try JSONValue.string("a").decode(RequestID.self) == .string("a"))
        #expect(throws: DecodingError.self) { try JSONValue.bool(true).decode(RequestID.self) }
    }
}

/// Params that do not decode as `HoverTestRequest`, and what the -32602 message must mention.
private let badParamsCases: [(JSONValue, String)] = [
    (["uri": "u", "position": ["line": "one", "character": 2]], "params.position.line"),
    (["uri": "u", "position": ["line": 1]], "params.position: missing required member \"character\""),
    (["position": ["line": 1, "character": 2]], "missing required member \"uri\""),
    (["uri": nil, "position": ["line": 1, "character": 2]], "at params.uri: expected String, found null"),
    ([1, 2], "invalid params for test/hover"),
]

@Suite("Message registry")
struct MessageRegistryTests {
    let registry = MessageRegistry(
        requests: [HoverTestRequest.self, ShutdownTestRequest.self],
        notifications: [InitializedTestNotification.self])

    @Test func decodesRegisteredRequests() throws {
        let request = RequestMessage(
            id: .int(1), method: "test/hover",
            params: ["uri": "file:///a", "position": ["line": 1, "character": 2]])
        let decoded = try registry.decode(request)
        #expect(decoded as? HoverTestRequest == HoverTestRequest(uri: "file:///a", position: .init(line: 1, character: 2)))
        #expect(try registry.decode(RequestMessage(id: .int(2), method: "shutdown")) is ShutdownTestRequest)
        #expect(try registry.decode(NotificationMessage(method: "initialized", params: [:])) is InitializedTestNotification)
        #expect(registry.requestMethods == ["shutdown", "test/hover"])
    }

    @Test func unknownMethodIsMethodNotFound() {
        #expect(throws: ResponseError.methodNotFound("nope")) {
            try registry.decode(RequestMessage(id: .int(1), method: "nope"))
        }
    }

    @Test(arguments: badParamsCases)
    func badParamsAreInvalidParamsWithThePath(_ params: JSONValue, _ expected: String) {
        do {
            _ = try registry.decode(RequestMessage(id: .int(1), method: "test/hover", params: params))
            Issue.record("decoding should fail")
        } catch {
            #expect(error.code == .invalidParams)
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func matchingRetypesTheReply() {
        let request: any RequestType = HoverTestRequest(uri: "u", position: .init(line: 0, character: 0))
        let received = ReceivedResults()
        func route<R: RequestType>(_ request: R) {
            let reply: @Sendable (Result<R.Response, ResponseError>) -> Void = { result in
                received.append("\(result)")
            }
            #expect(request.matching(ShutdownTestRequest.self, reply: reply) == nil)
            if let (hover, typedReply) = request.matching(HoverTestRequest.self, reply: reply) {
                typedReply(.success("hover for \(hover.uri)"))
            }
        }
        route(request)
        #expect(received.values == [#"success("hover for u")"#])
    }
}

/// Strings collected from several threads.
final class ReceivedResults: Sendable {
    private let storage = Locked<[String]>([])

    func append(_ value: String) { storage.withLock { $0.append(value) } }

    var values: [String] { storage.withLock { $0 } }
}
