import Foundation
import LazyWheelCore
import LazyZip
import Testing
import TestSupport

/// A wheel built in memory: `payloadSize` bytes of package, then `<name>-<version>.dist-info/METADATA`.
func syntheticWheel(name: String, version: String, requires: [String] = [], payloadSize: Int = 64 * 1024) -> Data {
    var builder = ZipBuilder()
    builder.add("\(name)/__init__.py", Data(repeating: 0x41, count: payloadSize), method: .stored)
    let requiresDist = requires.map { "Requires-Dist: \($0)\n" }.joined()
    builder.add("\(name)-\(version).dist-info/METADATA", text: "Metadata-Version: 2.1\nName: \(name)\nVersion: \(version)\n\(requiresDist)")
    return builder.build()
}

/// The engine as the command line drives it (`ls`, `cat`, `metadata`), against an in-process server.
@Suite struct WheelEngineTests {
    @Test func opensListsAndReadsARemoteWheel() throws {
        let server = TestHTTPServer()
        _ = try server.start()
        defer { try? server.shutdown() }
        server.setFile("/wheels/demo-1.0-py3-none-any.whl", data: syntheticWheel(name: "demo", version: "1.0"))
        let engine = WheelEngine()
        let location = try WheelLocation(parsing: server.url("/wheels/demo-1.0-py3-none-any.whl").absoluteString)

        let opened = try engine.open(location)
        #expect(EntryListing(archive: opened.wheel.archive).entries.map(\.name)
            == ["demo/__init__.py", "demo-1.0.dist-info/METADATA"])
        #expect(try opened.readMember(named: "demo/__init__.py") == Data(repeating: 0x41, count: 64 * 1024))
        #expect(throws: WheelMemberError.notFound(member: "missing.py", wheel: location.description)) {
            try opened.readMember(named: "missing.py")
        }
        #expect(try engine.metadata(of: opened).version == "1.0")
        #expect(engine.statistics.snapshot.headRequests == 0)
        #expect(server.requests.allSatisfy { $0.range != nil })
    }

    @Test func metadataOfALocationIsOneTailRequest() throws {
        let server = TestHTTPServer()
        _ = try server.start()
        defer { try? server.shutdown() }
        server.setFile("/wheels/demo-1.0-py3-none-any.whl", data: syntheticWheel(name: "demo", version: "1.0", requires: ["dep>=2"]))
        let engine = WheelEngine()

        let metadata = try engine.metadata(at: .remote(server.url("/wheels/demo-1.0-py3-none-any.whl")))
        #expect(metadata.name == "demo")
        #expect(metadata.requiresDist == ["dep>=2"])
        #expect(engine.statistics.snapshot.requests == 1)
        #expect(server.requests.map(\.range) == ["bytes=-\(engine.tailLength)"])
    }

    @Test func localPathsAreReadWithoutHTTP() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lazywheel-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("demo-2.0-py3-none-any.whl").path
        try syntheticWheel(name: "demo", version: "2.0").write(to: URL(fileURLWithPath: path))
        let engine = WheelEngine()

        #expect(try engine.metadata(at: WheelLocation(parsing: path)).version == "2.0")
        let opened = try engine.open(WheelLocation(parsing: "file://" + path))
        #expect(try engine.metadata(of: opened).name == "demo")
        #expect(engine.statistics.snapshot.headRequests == 0)
    }
}
