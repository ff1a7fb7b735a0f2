import Foundation
import HTTPRange
import LazyZip
import PackagingStandards
import TestSupport
import WorkScheduling
@testable import PackageIndex

/// Paths and ground truth shared by the tests.
enum Corpus {
    static var directory: URL { TestRepository.corpus }

    struct Wheel {
        var file: String
        var name: String
        var version: String
        var metadataSha256: String
        var sha256: String
        var requiresPython: String?

        var url: URL { Corpus.directory.appendingPathComponent("wheels/" + file) }
        var data: Data { (try? Data(contentsOf: url)) ?? Data() }

        /// METADATA read straight from the local wheel.
        func metadata() throws -> Data {
            let wheel = try LazyWheel.open(source: FileByteSource(url: url))
            return try wheel.readMetadata(distInfoMatches: { _ in true })
        }
    }

    static let wheels: [String: Wheel] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("MANIFEST.json")),
              let entries = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return [:] }
        var result: [String: Wheel] = [:]
        for entry in entries {
            guard let file = entry["file"] as? String, let name = entry["name"] as? String else { continue }
            result[ProjectName.canonical(name)] = Wheel(
                file: file, name: name, version: entry["version"] as? String ?? "",
                metadataSha256: entry["metadataSha256"] as? String ?? "", sha256: entry["sha256"] as? String ?? "",
                requiresPython: entry["requiresPython"] as? String)
        }
        return result
    }()
}

/// A fresh temporary directory, removed by the caller with `cleanUp()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lazywheel-index-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Removes the directory once the shared cache writer has written what it holds, so a cache
    /// entry written late does not make the directory again after the test.
    func cleanUp() {
        CacheEntryWriter.shared.drain()
        try? FileManager.default.removeItem(at: url)
    }
}

/// An ``IndexHTTPTransport`` answering from a script, logging every request.
final class ScriptedTransport: IndexHTTPTransport {
    struct Sent: Sendable {
        var url: URL
        var headers: HTTPHeaderFields
    }

    private let state = Locked<(log: [Sent], answer: @Sendable (URL, HTTPHeaderFields) -> HTTPResponse)>(
        ([], { url, _ in HTTPResponse(status: 404, headers: [:], body: Data(), url: url) }))

    var sent: [Sent] { state.withLock { $0.log } }

    func answer(_ respond: @escaping @Sendable (URL, HTTPHeaderFields) -> HTTPResponse) {
        state.withLock { $0.answer = respond }
    }

    private let failure = Locked<HTTPClientError?>(nil)

    /// Makes every later request fail with `error` (nil: answer again).
    func fail(with error: HTTPClientError?) {
        failure.withLock { $0 = error }
    }

    func get(_ url: URL, headers: HTTPHeaderFields, cancellation: CancellationToken?) throws -> HTTPResponse {
        let respond = state.withLock { state in
            state.log.append(Sent(url: url, headers: headers))
            return state.answer
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return respond(url, headers)
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current = Locked(Date(timeIntervalSince1970: 1_700_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
