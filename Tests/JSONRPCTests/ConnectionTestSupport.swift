import Dispatch
import Foundation
import WorkScheduling

@testable import JSONRPC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Both ends of a `pipe()`.
struct PipeEnds {
    let read: Int32
    let write: Int32

    init() {
        var descriptors: [Int32] = [0, 0]
        precondition(pipe(&descriptors) == 0, "pipe() failed")
        read = descriptors[0]
        write = descriptors[1]
    }
}

/// Writes all bytes to a descriptor.
func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        offset += written
    }
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
@discardableResult
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

/// The client side of a test: writes raw frames and records every frame the server writes.
final class RawPeer: Sendable {
    private struct Received {
        var messages: [JSONValue] = []
        var problems: [String] = []
        var endOfInput = false
    }

    private let toServer: Int32
    private let received = Locked(Received())
    private let paused = Locked(false)

    init(toServer: Int32, fromServer: Int32) {
        self.toServer = toServer
        let thread = Thread { [received, paused] in
            var framer = MessageFramer()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                while paused.withLock({ $0 }) { usleep(1_000) }
                let count = buffer.withUnsafeMutableBytes { read(fromServer, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                for event in framer.consume(buffer[0..<count]) {
                    switch event {
                    case .message(let body):
                        do {
                            let json = try JSONValue(parsing: body)
                            received.withLock { $0.messages.append(json) }
                        } catch {
                            received.withLock { $0.problems.append("unparsable frame: \(error)") }
                        }
                    default:
                        received.withLock { $0.problems.append("framing: \(event)") }
                    }
                }
            }
            received.withLock { $0.endOfInput = true }
        }
        thread.start()
    }

    func send(_ message: JSONValue) {
        writeAll(Array(MessageFrameEncoder.frame(message.serialized())), to: toServer)
    }

    func sendRaw(_ text: String) {
        writeAll(Array(text.utf8), to: toServer)
    }

    func request(_ id: JSONValue, _ method: String, _ params: JSONValue? = nil) {
        var members: [String: JSONValue] = ["jsonrpc": "2.0", "id": id, "method": .string(method)]
        if let params { members["params"] = params }
        send(.object(members))
    }

    func notify(_ method: String, _ params: JSONValue? = nil) {
        var members: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { members["params"] = params }
        send(.object(members))
    }

    /// Stops reading what the server writes (after the read in progress), as a slow client would:
    /// the pipe fills and the server's writes wait.
    func pauseReading() { paused.withLock { $0 = true } }
    func resumeReading() { paused.withLock { $0 = false } }

    var messages: [JSONValue] { received.withLock { $0.messages } }
    var problems: [String] { received.withLock { $0.problems } }
    var sawEndOfInput: Bool { received.withLock { $0.endOfInput } }

    /// Every message received with `id`.
    func responses(to id: JSONValue) -> [JSONValue] {
        messages.filter { $0["id"] == id && $0["method"] == nil }
    }

    /// Waits for a response to `id` and returns it.
    func waitForResponse(to id: JSONValue) -> JSONValue? {
        waitUntil { !responses(to: id).isEmpty }
        return responses(to: id).first
    }
}

/// A server connection wired to a ``RawPeer`` through two pipes.
final class PipeHarness: Sendable {
    let clientToServer = PipeEnds()
    let serverToClient = PipeEnds()
    let connection: JSONRPCConnection
    let client: RawPeer
    let logs = ReceivedResults()
    let closeReasons = Locked<[JSONRPCConnection.CloseReason]>([])

    init(handler: any MessageHandler, registry: MessageRegistry = testRegistry, limits: FramingLimits = FramingLimits()) {
        let logs = self.logs
        connection = JSONRPCConnection(
            name: "test-server",
            input: clientToServer.read,
            output: serverToClient.write,
            registry: registry,
            limits: limits,
            log: LogSink(minimumLevel: .debug) { level, message in logs.append("\(level): \(message)") })
        client = RawPeer(toServer: clientToServer.write, fromServer: serverToClient.read)
        connection.start(handler: handler) { [closeReasons] reason in
            closeReasons.withLock { $0.append(reason) }
        }
    }

    /// Ends the client's input (EOF for the server), waits for the close, then tears everything down.
    func shutDown() {
        close(clientToServer.write)
        waitUntil { !closeReasons.withLock { $0.isEmpty } && !connection.isReading }
        connection.waitUntilSent()
        close(serverToClient.write)
        waitUntil { client.sawEndOfInput }
        close(clientToServer.read)
        close(serverToClient.read)
    }
}

// MARK: - Test methods

struct EchoRequest: RequestType {
    static let method = "test/echo"
    typealias Response = String
    var text: String
}

struct HoldRequest: RequestType {
    static let method = "test/hold"
    typealias Response = String
    var number: Int
}

struct SlowRequest: RequestType {
    static let method = "test/slow"
    typealias Response = String
}

struct DoubleReplyRequest: RequestType {
    static let method = "test/double"
    typealias Response = Int
}

struct FailingRequest: RequestType {
    static let method = "test/fail"
    typealias Response = VoidResponse
}

struct NoteNotification: NotificationType {
    static let method = "test/note"
    var number: Int
}

struct CreateProgressRequest: RequestType {
    static let method = "window/workDoneProgress/create"
    typealias Response = VoidResponse
    var token: String
}

let testRegistry = MessageRegistry(
    requests: [
        EchoRequest.self, HoldRequest.self, SlowRequest.self, DoubleReplyRequest.self, FailingRequest.self,
        HoverTestRequest.self, CreateProgressRequest.self,
    ],
    notifications: [NoteNotification.self])

/// The server side of the tests.
final class TestHandler: MessageHandler {
    private struct State {
        var held: [(Int, @Sendable (Result<String, ResponseError>) -> Void)] = []
        var notes: [Int] = []
        var progressTokens: [String] = []
    }

    private let state = Locked(State())
    /// How many `test/hold` requests to collect before answering them all, shuffled.
    let holdCount: Int

    init(holdCount: Int = 0) { self.holdCount = holdCount }

    var notes: [Int] { state.withLock { $0.notes } }
    var progressTokens: [String] { state.withLock { $0.progressTokens } }

    func handle<Request: RequestType>(
        request: Request, id: RequestID, cancellation: CancellationToken,
        reply: @escaping @Sendable (Result<Request.Response, ResponseError>) -> Void
    ) {
        if let (echo, reply) = request.matching(EchoRequest.self, reply: reply) {
            reply(.success(echo.text))
        } else if let (hover, reply) = request.matching(HoverTestRequest.self, reply: reply) {
            reply(.success("hover \(hover.uri) \(hover.position.line):\(hover.position.character)"))
        } else if let (hold, reply) = request.matching(HoldRequest.self, reply: reply) {
            let ready = state.withLock { state -> [(Int, @Sendable (Result<String, ResponseError>) -> Void)]? in
                state.held.append((hold.number, reply))
                guard state.held.count == holdCount else { return nil }
                defer { state.held.removeAll() }
                return state.held.shuffled()
            }
            if let ready {
                // Answer everything at once from many threads, in shuffled order.
                DispatchQueue.concurrentPerform(iterations: ready.count) { index in
                    let (number, reply) = ready[index]
                    reply(.success(String(repeating: "\(number),", count: 1500)))
                }
            }
        } else if let (_, reply) = request.matching(SlowRequest.self, reply: reply) {
            // Blocks its thread until cancelled, then answers as if nothing happened.
            let done = DispatchSemaphore(value: 0)
            cancellation.onCancel { done.signal() }
            _ = done.wait(timeout: .now() + 20)
            reply(.success("finished"))
        } else if let (_, reply) = request.matching(DoubleReplyRequest.self, reply: reply) {
            reply(.success(1))
            reply(.success(2))
        } else if let (_, reply) = request.matching(FailingRequest.self, reply: reply) {
            reply(.failure(ResponseError(code: ErrorCode(serverDefined: -32050)!, message: "wheel not found")))
        } else if let (create, reply) = request.matching(CreateProgressRequest.self, reply: reply) {
            state.withLock { $0.progressTokens.append(create.token) }
            reply(.success(VoidResponse()))
        } else {
            reply(.failure(.methodNotFound(Request.method)))
        }
    }

    func handle<Notification: NotificationType>(notification: Notification) {
        if let note = notification as? NoteNotification {
            state.withLock { $0.notes.append(note.number) }
        }
    }
}
