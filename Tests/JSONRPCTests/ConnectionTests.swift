import Dispatch
import Foundation
import Testing
import WorkScheduling

@testable import JSONRPC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("JSON-RPC connection over pipes")
struct ConnectionTests {
    @Test func requestResponseRoundTrip() {
        let harness = PipeHarness(handler: TestHandler())
        defer { harness.shutDown() }
        #expect(harness.connection.state == .running)

        harness.client.request(1, "test/echo", ["text": "hello"])
        #expect(harness.client.waitForResponse(to: 1) == ["jsonrpc": "2.0", "id": 1, "result": "hello"])

        harness.client.request("s-1", "test/hover", ["uri": "file:///w", "position": ["line": 3, "character": 4]])
        #expect(harness.client.waitForResponse(to: "s-1")?["result"] == "hover file:///w 3:4")

        harness.client.request(2, "test/fail")
        let failure = harness.client.waitForResponse(to: 2)
        #expect(failure?["error"]?["code"] == -32050)
        #expect(failure?["error"]?["message"] == "wheel not found")
        #expect(harness.client.problems.isEmpty)
    }

    @Test func unknownMethodsAndBadParamsAreAnsweredByTheConnection() {
        let harness = PipeHarness(handler: TestHandler())
        defer { harness.shutDown() }

        harness.client.request(1, "no/such/method")
        #expect(harness.client.waitForResponse(to: 1)?["error"]?["code"] == -32601)

        harness.client.request(2, "test/hover", ["uri": "u", "position": ["line": "x", "character": 0]])
        let bad = harness.client.waitForResponse(to: 2)
        #expect(bad?["error"]?["code"] == -32602)
        #expect(bad?["error"]?["message"]?.stringValue?.contains("params.position.line") == true)

        harness.client.request(3, "test/echo", "not-structured")
        let invalid = harness.client.waitForResponse(to: 3)
        #expect(invalid?["error"]?["code"] == -32600)
        #expect(invalid?["error"]?["message"]?.stringValue?.contains("\"params\" must be an object or an array") == true)
    }

    @Test func twoHundredRequestsInFlightAnsweredOutOfOrder() {
        let count = 200
        let harness = PipeHarness(handler: TestHandler(holdCount: count))
        defer { harness.shutDown() }

        // Send everything from several threads at once; ids 1...200.
        let frames = (1...count).map { number -> [UInt8] in
            let request: JSONValue = ["jsonrpc": "2.0", "id": .int(number), "method": "test/hold", "params": ["number": .int(number)]]
            return Array(MessageFrameEncoder.frame(request.serialized()))
        }
        writeAll(frames.flatMap { $0 }, to: harness.clientToServer.write)

        #expect(waitUntil { harness.client.messages.count >= count })
        usleep(50_000)  // any duplicate reply would show up now
        let messages = harness.client.messages
        #expect(messages.count == count)
        #expect(harness.client.problems.isEmpty, "every frame must be intact")
        var seen: [Int: Int] = [:]
        for message in messages {
            guard let id = message["id"]?.intValue else {
                Issue.record("response without id: \(message)")
                continue
            }
            seen[id, default: 0] += 1
            #expect(message["result"]?.stringValue == String(repeating: "\(id),", count: 1500))
        }
        #expect(Set(seen.keys) == Set(1...count))
        #expect(seen.values.allSatisfy { $0 == 1 }, "exactly one reply per id")
        let order = messages.compactMap { $0["id"]?.intValue }
        #expect(order != Array(1...count), "replies were expected out of order")
    }

    /// Large replies wait until they are written; with more of them waiting at once than
    /// Dispatch has workers (a client pipelining thousands of requests), small replies queued
    /// between them must still be written, or nothing is answered again.
    @Test func moreLargeRepliesWaitingThanDispatchHasWorkers() {
        let count = 700
        let harness = PipeHarness(handler: TestHandler())
        defer { harness.shutDown() }
        harness.client.pauseReading()
        let large = String(repeating: "x", count: Int(JSONRPCConnection.synchronousFrameBytes) + 100)
        let frames = (1...count).map { number -> [UInt8] in
            let text = number % 2 == 0 ? large : "small \(number)"
            let request: JSONValue = ["jsonrpc": "2.0", "id": .int(number), "method": "test/echo", "params": ["text": .string(text)]]
            return Array(MessageFrameEncoder.frame(request.serialized()))
        }
        writeAll(frames.flatMap { $0 }, to: harness.clientToServer.write)
        usleep(500_000)  // every request dispatched; the large replies wait for the full pipe
        harness.client.resumeReading()
        #expect(waitUntil(seconds: 30) { harness.client.messages.count >= count }, "\(harness.client.messages.count) of \(count) answered")
        #expect(harness.client.problems.isEmpty)
    }

    @Test func cancellationAnswersRequestCancelledAndSparesOthers() {
        let harness = PipeHarness(handler: TestHandler())
        defer { harness.shutDown() }

        harness.client.request("slow", "test/slow")
        harness.client.request("other-slow", "test/slow")
        // A slow request does not hold up the next one.
        harness.client.request(2, "test/echo", ["text": "quick"])
        #expect(harness.client.waitForResponse(to: 2)?["result"] == "quick")
        #expect(harness.client.responses(to: "slow").isEmpty)

        harness.client.notify("$/cancelRequest", ["id": "slow"])
        let cancelled = harness.client.waitForResponse(to: "slow")
        #expect(cancelled?["error"]?["code"] == -32800)
        #expect(cancelled?["result"] == nil)

        // The other slow request is still running, and requests keep working.
        harness.client.request(3, "test/echo", ["text": "after"])
        #expect(harness.client.waitForResponse(to: 3)?["result"] == "after")
        #expect(harness.client.responses(to: "other-slow").isEmpty)

        // Cancelling an unknown or finished request is harmless.
        harness.client.notify("$/cancelRequest", ["id": 999])
        harness.client.notify("$/cancelRequest", ["id": 2])
        harness.client.notify("$/cancelRequest", ["id": "other-slow"])
        #expect(harness.client.waitForResponse(to: "other-slow")?["error"]?["code"] == -32800)
        usleep(50_000)
        #expect(harness.client.responses(to: "slow").count == 1)
        #expect(harness.client.responses(to: 2).count == 1)
    }

    @Test func lateSecondReplyIsDroppedAndLogged() {
        let harness = PipeHarness(handler: TestHandler())
        defer { harness.shutDown() }

        harness.client.request(7, "test/double")
        #expect(harness.client.waitForResponse(to: 7)?["result"] == 1)
        harness.client.request(8, "test/echo", ["text": "fence"])
        #expect(harness.client.waitForResponse(to: 8) != nil)
        #expect(harness.client.responses(to: 7).count == 1)
        #expect(harness.logs.values.contains { $0.contains("dropping a second reply to request 7") })
    }

    @Test func duplicateIDInFlightIsRejected() {
        let harness = PipeHarness(handler: TestHandler())
        defer { harness.shutDown() }
        harness.client.request(5, "test/slow")
        harness.client.request(5, "test/echo", ["text": "dup"])
        #expect(waitUntil { harness.client.responses(to: 5).count == 1 })
        #expect(harness.client.responses(to: 5).first?["error"]?["code"] == -32600)
        harness.client.notify("$/cancelRequest", ["id": 5])
        #expect(waitUntil { harness.client.responses(to: 5).count == 2 })
        #expect(harness.client.responses(to: 5).last?["error"]?["code"] == -32800)
    }

    @Test func notificationsArriveInOrderAndAreNeverAnswered() {
        let handler = TestHandler()
        let harness = PipeHarness(handler: handler)
        defer { harness.shutDown() }

        for number in 1...50 { harness.client.notify("test/note", ["number": .int(number)]) }
        harness.client.notify("test/note", ["number": "bad"])
        harness.client.notify("unknown/notification")
        harness.client.notify("$/setTrace", ["value": "off"])
        #expect(waitUntil { handler.notes.count == 50 })
        #expect(handler.notes == Array(1...50))

        harness.client.request(1, "test/echo", ["text": "fence"])
        #expect(harness.client.waitForResponse(to: 1) != nil)
        #expect(harness.client.messages.count == 1, "notifications get no response")
        #expect(harness.logs.values.contains { $0.contains("ignoring unknown notification unknown/notification") })
    }

    @Test func endOfInputClosesTheConnection() {
        let harness = PipeHarness(handler: TestHandler())
        harness.client.request("pending", "test/slow")
        harness.client.request(1, "test/echo", ["text": "x"])
        #expect(harness.client.waitForResponse(to: 1) != nil)

        close(harness.clientToServer.write)
        #expect(waitUntil { harness.closeReasons.withLock { $0 } == [.endOfInput] && !harness.connection.isReading })
        #expect(harness.connection.state == .closed)
        // The pending request was cancelled by the close; its reply is still written as -32800.
        #expect(harness.client.waitForResponse(to: "pending")?["error"]?["code"] == -32800)

        harness.connection.waitUntilSent()
        close(harness.serverToClient.write)
        #expect(waitUntil { harness.client.sawEndOfInput })
        close(harness.clientToServer.read)
        close(harness.serverToClient.read)
    }

    @Test func unreadableFramesAreAnsweredAndReadingContinues() {
        let harness = PipeHarness(
            handler: TestHandler(), limits: FramingLimits(maximumHeaderBytes: 1024, maximumBodyBytes: 100))
        defer { harness.shutDown() }

        // Not JSON.
        harness.client.sendRaw("Content-Length: 8\r\n\r\nnot json")
        #expect(waitUntil { harness.client.messages.count == 1 })
        #expect(harness.client.messages.last?["id"] == .null)
        #expect(harness.client.messages.last?["error"]?["code"] == -32700)

        // Invalid UTF-8 in the body.
        writeAll(Array("Content-Length: 4\r\n\r\n".utf8) + [0x22, 0xC3, 0x28, 0x22], to: harness.clientToServer.write)
        #expect(waitUntil { harness.client.messages.count == 2 })
        #expect(harness.client.messages.last?["error"]?["code"] == -32700)

        // A header line without colon, then a valid request.
        harness.client.sendRaw("garbage\r\n")
        harness.client.request(1, "test/echo", ["text": "still here"])
        #expect(harness.client.waitForResponse(to: 1)?["result"] == "still here")
        #expect(harness.client.messages.contains { $0["error"]?["message"]?.stringValue?.contains("has no ':'") == true })

        // A body over the cap is skipped and answered.
        harness.client.sendRaw("Content-Length: 500\r\n\r\n" + String(repeating: " ", count: 500))
        harness.client.request(2, "test/echo", ["text": "after big"])
        #expect(harness.client.waitForResponse(to: 2)?["result"] == "after big")
        #expect(harness.client.messages.contains { $0["error"]?["code"] == -32600 && $0["id"] == .null })

        // An invalid request whose id could be read is answered with that id.
        harness.client.send(["jsonrpc": "2.0", "id": 3, "method": 42])
        #expect(harness.client.waitForResponse(to: 3)?["error"]?["code"] == -32600)
        #expect(harness.client.problems.isEmpty)
    }

    @Test func outgoingNotificationsAndRequests() {
        let harness = PipeHarness(handler: TestHandler())
        defer { harness.shutDown() }

        harness.connection.send(notification: NoteNotification(number: 4))
        #expect(waitUntil { harness.client.messages.count == 1 })
        #expect(harness.client.messages.first == ["jsonrpc": "2.0", "method": "test/note", "params": ["number": 4]])

        let answers = ReceivedResults()
        let id = harness.connection.sendRequest(CreateProgressRequest(token: "t1")) { result in
            answers.append("\(result)")
        }
        #expect(waitUntil { harness.client.messages.count == 2 })
        let outgoing = harness.client.messages.last
        #expect(outgoing?["method"] == "window/workDoneProgress/create")
        #expect(outgoing?["id"] == id.jsonValue)
        #expect(outgoing?["params"] == ["token": "t1"])

        harness.client.send(["jsonrpc": "2.0", "id": id.jsonValue, "result": nil])
        #expect(waitUntil { answers.values.count == 1 })
        #expect(answers.values.first?.hasPrefix("success") == true)

        // An error response reaches the caller as an error.
        let second = harness.connection.sendRequest(CreateProgressRequest(token: "t2")) { result in
            answers.append("\(result)")
        }
        harness.client.send(["jsonrpc": "2.0", "id": second.jsonValue, "error": ["code": -32603, "message": "client broke"]])
        #expect(waitUntil { answers.values.count == 2 })
        #expect(answers.values.last?.contains("client broke") == true)

        // A response nobody waits for is logged, not answered.
        harness.client.send(["jsonrpc": "2.0", "id": 424242, "result": 1])
        harness.client.request(9, "test/echo", ["text": "fence"])
        #expect(harness.client.waitForResponse(to: 9) != nil)
        #expect(harness.logs.values.contains { $0.contains("dropping a response to 424242") })
    }

    @Test func closingFailsRequestsWaitingForThePeer() {
        let harness = PipeHarness(handler: TestHandler())
        let answers = ReceivedResults()
        harness.connection.sendRequest(CreateProgressRequest(token: "t")) { result in answers.append("\(result)") }
        harness.connection.close()
        #expect(harness.connection.state == .closed)
        #expect(answers.values.count == 1)
        #expect(answers.values.first?.contains("connection closed") == true)
        #expect(harness.closeReasons.withLock { $0 } == [.closedLocally])
        // Sending after close fails at once.
        harness.connection.sendRequest(CreateProgressRequest(token: "late")) { result in answers.append("\(result)") }
        #expect(answers.values.count == 2)
        harness.shutDown()
    }

    @Test func twoConnectionsTalkToEachOther() async throws {
        let aToB = PipeEnds()
        let bToA = PipeEnds()
        let server = JSONRPCConnection(
            name: "b", input: aToB.read, output: bToA.write, registry: testRegistry, log: .discard)
        let client = JSONRPCConnection(
            name: "a", input: bToA.read, output: aToB.write, registry: testRegistry, log: .discard)
        let clientHandler = TestHandler()
        server.start(handler: TestHandler())
        client.start(handler: clientHandler)

        let hover = try await client.sendRequest(HoverTestRequest(uri: "file:///x", position: .init(line: 1, character: 9)))
        #expect(hover == "hover file:///x 1:9")
        _ = try await server.sendRequest(CreateProgressRequest(token: "progress-1"))
        #expect(clientHandler.progressTokens == ["progress-1"])
        await #expect(throws: ResponseError.self) { try await client.sendRequest(FailingRequest()) }

        client.close()
        server.close()
        #expect(waitUntil { !client.isReading && !server.isReading })
        client.waitUntilSent()
        server.waitUntilSent()
        for descriptor in [aToB.read, aToB.write, bToA.read, bToA.write] { close(descriptor) }
    }
}

@Suite("Standard I/O guard")
struct StandardIOGuardTests {
    @Test func movesOutputAwayFromTheStandardDescriptor() {
        let fakeStdout = PipeEnds()
        let fakeStderr = PipeEnds()
        // Work on a copy of the pipe's write end standing in for fd 1.
        let standIn = dup(fakeStdout.write)
        let protocolOutput = try? StandardIOGuard.claimOutput(standardOutput: standIn, standardError: fakeStderr.write)
        #expect(protocolOutput != nil)
        guard let protocolOutput else { return }

        #expect(fcntl(protocolOutput, F_GETFD) & FD_CLOEXEC != 0)
        writeAll(Array("stray print\n".utf8), to: standIn)
        writeAll(Array("protocol".utf8), to: protocolOutput)
        for descriptor in [standIn, protocolOutput, fakeStdout.write, fakeStderr.write] { close(descriptor) }

        #expect(readAll(fakeStdout.read) == "protocol")
        #expect(readAll(fakeStderr.read) == "stray print\n")
        close(fakeStdout.read)
        close(fakeStderr.read)
    }

    @Test func movesInputAwayFromTheStandardDescriptor() {
        let fakeStdin = PipeEnds()
        let standIn = dup(fakeStdin.read)
        let protocolInput = try? StandardIOGuard.claimInput(standardInput: standIn)
        #expect(protocolInput != nil)
        guard let protocolInput else { return }
        writeAll(Array("frame".utf8), to: fakeStdin.write)
        close(fakeStdin.write)
        #expect(readAll(standIn) == "", "the standard descriptor now reads /dev/null")
        #expect(readAll(protocolInput) == "frame")
        #expect(fcntl(protocolInput, F_GETFD) & FD_CLOEXEC != 0)
        for descriptor in [standIn, protocolInput, fakeStdin.read] { close(descriptor) }
    }

    private func readAll(_ descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
