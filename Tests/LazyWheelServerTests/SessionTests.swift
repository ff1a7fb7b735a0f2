import Foundation
import HTTPRange
import JSONRPC
import LazyWheelCore
import LazyZip
import Testing
import TestSupport
import WorkScheduling
@testable import LazyWheelServer

/// A small wheel built in memory: `demo-1.0.dist-info/METADATA` plus a payload of `payloadSize` bytes.
private func demoWheel(payloadSize: Int = 64 * 1024) -> Data {
    var builder = ZipBuilder()
    builder.add("demo/__init__.py", Data(repeating: 0x41, count: payloadSize), method: .stored)
    builder.add("demo-1.0.dist-info/METADATA", text: "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    return builder.build()
}

private func openDemo(_ data: Data, key: String) throws -> SessionWheel {
    let source = MemoryByteSource(data, displayName: key)
    let wheel = try LazyWheel.open(source: source, tailLength: 1024)
    let location = WheelLocation.remote(URL(string: "http://127.0.0.1/\(key)/demo-1.0-py3-none-any.whl")!)
    let opened = OpenedWheel(location: location, wheel: wheel)
    return SessionWheel(key: WheelKey(location: location, headers: [:]), opened: opened)
}

@Suite struct ErrorMappingTests {
    @Test func typedErrorsMapToDocumentedCodes() {
        let cases: [(any Error, Int)] = [
            (OperationCancelled(), -32800),
            (WheelHandleError.unknown("w9"), -32010),
            (HTTPRangeError.rangeIgnored(url: "u", size: 1 << 30), -32020),
            (HTTPRangeError.unexpectedStatus(url: "u", status: 404), -32021),
            (HTTPClientError.timedOut(url: "u", seconds: 1, attempts: 3), -32022),
            (HTTPRangeError.fileChanged(url: "u", detail: "etag"), -32023),
            (HTTPRangeError.wrongBodyLength(url: "u", expected: 10, received: 5), -32024),
            (ZipError.crcMismatch(name: "m", declared: 1, actual: 2), -32030),
            (WheelMemberError.notFound(member: "m", wheel: "w"), -32031),
            (WheelLocationError.unsupportedScheme("ftp"), -32040),
        ]
        for (error, code) in cases {
            #expect(ResponseError(mapping: error).code.rawValue == code, "\(error)")
        }
    }

    @Test func statusIsGivenAsData() {
        let error = ResponseError(mapping: HTTPRangeError.unexpectedStatus(url: "u", status: 403))
        #expect(error.data == ["status": 403])
    }
}

@Suite struct WheelHandleTableTests {
    @Test func handlesOpenAndCloseAndUnknownHandlesFail() throws {
        let table = WheelHandleTable()
        let wheel = table.insert(try openDemo(demoWheel(), key: "a"))
        let first = table.openHandle(for: wheel.key)
        let second = table.openHandle(for: wheel.key)
        #expect(first != second)
        #expect(try table.wheel(forHandle: first) === wheel)
        try table.close(handle: first)
        #expect(throws: WheelHandleError.unknown(first)) { try table.wheel(forHandle: first) }
        #expect(throws: WheelHandleError.unknown(first)) { try table.close(handle: first) }
        #expect(table.openHandleCount == 1)
        #expect(table.wheel(for: wheel.key) === wheel, "a closed handle's wheel stays cached")
    }

    @Test func secondInsertForTheSameKeyKeepsTheFirstWheel() throws {
        let table = WheelHandleTable()
        let first = table.insert(try openDemo(demoWheel(), key: "a"))
        let again = table.insert(try openDemo(demoWheel(), key: "a"))
        #expect(again === first)
    }

    @Test func budgetEvictsLeastRecentlyUsedBytesButKeepsIndexes() throws {
        let table = WheelHandleTable()
        let data = demoWheel(payloadSize: 200_000)
        var wheels: [SessionWheel] = []
        for key in ["a", "b", "c"] {
            let wheel = table.insert(try openDemo(data, key: key))
            _ = try wheel.opened.wheel.file.read(0 ..< wheel.opened.wheel.file.size)
            _ = table.openHandle(for: wheel.key)
            wheels.append(wheel)
        }
        #expect(table.cachedBytes == Int64(data.count) * 3)
        table.enforce(budget: Int64(data.count) + 10)
        #expect(table.cachedBytes <= Int64(data.count) + 10)
        #expect(wheels[2].cachedBytes == Int64(data.count), "the most recently used wheel keeps its bytes")
        #expect(wheels[0].cachedBytes == 0)
        #expect(wheels[0].opened.wheel.archive.entries.count == 2, "the index survives eviction")
        let again = try wheels[0].opened.wheel.file.read(0 ..< 4)
        #expect(again == Data("PK\u{03}\u{04}".utf8), "evicted bytes are fetched again on demand")
    }

    /// Opening and closing cost the same per handle with thousands of wheels as with ten: no
    /// step scans every wheel (issue 21.5: 10,000 opens took 53 s, then 10,000 closes froze the
    /// server).
    @Test func openAndCloseCostTheSamePerHandleAtAnyCount() throws {
        let data = demoWheel(payloadSize: 10)
        func secondsPerHandle(count: Int, rounds: Int) throws -> Double {
            var total = Duration.zero
            for round in 0..<rounds {
                let table = WheelHandleTable()
                let wheels = try (0..<count).map { try openDemo(data, key: "r\(round)k\($0)") }
                total += try ContinuousClock().measure {
                    var handles: [String] = []
                    for wheel in wheels {
                        let kept = table.insert(wheel)
                        table.enforce(budget: 1 << 30, after: kept)
                        handles.append(table.openHandle(for: kept.key))
                        _ = try table.wheel(forHandle: handles.last!)
                    }
                    for handle in handles { try table.close(handle: handle) }
                }
            }
            let components = total.components
            return (Double(components.seconds) + Double(components.attoseconds) * 1e-18) / Double(count * rounds)
        }
        _ = try secondsPerHandle(count: 10, rounds: 20)
        let few = try secondsPerHandle(count: 10, rounds: 200)
        let many = try secondsPerHandle(count: 5000, rounds: 1)
        #expect(many < few * 10, "per handle: \(many) s with 5000 wheels, \(few) s with 10")
    }

    @Test func evictionFollowsUseNotInsertion() throws {
        let table = WheelHandleTable()
        let data = demoWheel(payloadSize: 100_000)
        var wheels: [SessionWheel] = []
        for key in ["a", "b", "c"] {
            let wheel = table.insert(try openDemo(data, key: key))
            _ = try wheel.opened.wheel.file.read(0 ..< wheel.opened.wheel.file.size)
            table.enforce(budget: 1 << 30, after: wheel)
            wheels.append(wheel)
        }
        _ = table.wheel(for: wheels[0].key)  // "a" is now the most recently used but one
        _ = try wheels[2].opened.wheel.file.read(0 ..< 4)
        table.enforce(budget: Int64(data.count) * 2 + 10, after: wheels[2])
        #expect(wheels[1].cachedBytes == 0, "b is the least recently used")
        #expect(wheels[0].cachedBytes == Int64(data.count))
        #expect(wheels[2].cachedBytes == Int64(data.count))
    }

    @Test func closedWheelsBeyondTheRetentionLimitAreDropped() throws {
        let table = WheelHandleTable(retainedClosedWheels: 1)
        let data = demoWheel(payloadSize: 10)
        let a = table.insert(try openDemo(data, key: "a"))
        let b = table.insert(try openDemo(data, key: "b"))
        #expect(table.cachedWheelCount == 1)
        #expect(table.wheel(for: a.key) == nil)
        #expect(table.wheel(for: b.key) === b)
    }
}

/// `initializationOptions` as the protocol documents them: every option the server decodes is in
/// `protocol/lazywheel.schema.json`, and nothing else is.
@Suite struct ServerOptionsSchemaTests {
    @Test func everyOptionIsInTheSchemaAndNoMore() throws {
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        let schema = try JSONSerialization.jsonObject(
            with: Data(contentsOf: root.appendingPathComponent("protocol/lazywheel.schema.json"))) as? [String: Any]
        let definitions = try #require((schema?["definitions"] ?? schema?["$defs"]) as? [String: Any])
        let documented = try #require((definitions["ServerOptions"] as? [String: Any])?["properties"] as? [String: Any])

        // Every stored property (the options have no custom coding keys).
        let declared = Mirror(reflecting: ServerOptions()).children.compactMap(\.label)
        #expect(Set(declared) == Set(documented.keys))
        #expect(declared.count == documented.count)
    }
}
