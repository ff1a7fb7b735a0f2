import Foundation
import LazyWheelCore
import PackageIndex
import Testing
import TestSupport

/// `lazywheel resolve` and the `resolve` method without the command line or the server: inputs
/// merged, the index picked, a resolution over an in-process simple index.
@Suite struct ResolutionServiceTests {
    /// An in-process index serving `demo 1.0` (needing `dep>=2`) and `dep 1.0`, `dep 2.0`, and a
    /// cache directory of its own.
    final class Index: Sendable {
        let server = TestHTTPServer()
        let base: URL
        let directory: URL

        init() throws {
            base = try server.start()
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("lazywheel-resolution-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let wheels = [("demo", "1.0", ["dep>=2"]), ("dep", "1.0", []), ("dep", "2.0", [])]
            for (name, version, requires) in wheels {
                server.setFile("/wheels/\(name)-\(version)-py3-none-any.whl",
                               data: syntheticWheel(name: name, version: version, requires: requires))
            }
            for name in ["demo", "dep"] {
                let links = wheels.filter { $0.0 == name }.map { "<a href=\"../../wheels/\($0.0)-\($0.1)-py3-none-any.whl\">\($0.0)-\($0.1)-py3-none-any.whl</a>" }
                server.setFile("/simple/\(name)/", data: Data("<html><body>\(links.joined())</body></html>".utf8))
            }
        }

        deinit {
            try? server.shutdown()
            CacheEntryWriter.shared.drain()  // or a late cache entry makes the folder again
            try? FileManager.default.removeItem(at: directory)
        }

        var simple: String { base.appendingPathComponent("simple/").absoluteString }

        /// An environment that names no index and caches into ``directory``.
        var environment: ConfigurationEnvironment {
            ConfigurationEnvironment(
                variables: ["XDG_CACHE_HOME": directory.path], homeDirectory: nil, readFile: { _ in nil })
        }

        func write(_ text: String, to name: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    static func input(_ requirements: [String] = []) -> ResolutionInput {
        var input = ResolutionInput()
        input.requirements = requirements
        input.python = "3.12"
        input.platform = "manylinux_2_28_x86_64"
        return input
    }

    @Test func refusesAnEmptyOrInvalidInput() throws {
        let service = ResolutionService(engine: WheelEngine(), environment: try Index().environment)
        #expect(throws: ResolutionInputError.nothingToResolve) { try service.prepare(Self.input()) }
        let error = #expect(throws: ResolutionInputError.self) { try service.prepare(Self.input(["demo>=>1"])) }
        guard case .invalidRequirement(let text, _) = error else {
            Issue.record("expected invalidRequirement, got \(String(describing: error))")
            return
        }
        #expect(text == "demo>=>1")
    }

    @Test func resolvesWithTheIndexOfARequirementsFile() throws {
        let index = try Index()
        let engine = WheelEngine()
        let service = ResolutionService(engine: engine, environment: index.environment)
        var input = Self.input()
        input.requirementFiles = [try index.write("--index-url \(index.simple)\ndemo\n", to: "requirements.txt")]
        input.constraintFiles = [try index.write("dep!=1.5\n", to: "constraints.txt")]

        let (request, projectIndex) = try service.prepare(input)
        #expect(request.requirements.map(\.name) == ["demo"])
        #expect(request.constraints.map(\.description) == ["dep!=1.5"])
        #expect(projectIndex.configuration.primaryIndex?.url.absoluteString == index.simple)

        let resolution = try service.resolve(input)
        #expect(resolution.packages.map { "\($0.name)==\($0.version)" } == ["demo==1.0", "dep==2.0"])
        let document = ResolutionDocument(resolution, transfer: engine.statistics.snapshot)
        #expect(document.stats.headRequests == 0)
        #expect(document.stats.requests > 0)
    }

    @Test func aSessionIndexServesInputsThatNameNone() throws {
        let index = try Index()
        let engine = WheelEngine()
        let service = ResolutionService(engine: engine, environment: index.environment)
        let session = try ProjectIndex(
            engine: engine, options: IndexOptions(indexURL: index.simple), environment: index.environment)

        let (_, chosen) = try service.prepare(Self.input(["demo"]), sessionIndex: session)
        #expect(chosen === session)
        var named = Self.input(["demo"])
        named.index = IndexOptions(indexURL: index.simple)
        #expect(try service.prepare(named, sessionIndex: session).1 !== session)
        #expect(try service.resolve(Self.input(["dep<2"]), sessionIndex: session).packages.map(\.version) == ["1.0"])
    }
}
