import Foundation

/// What the tests find beside the package: its root, the shared wheel corpus (`../shared/corpus`
/// next to the checkout) and the test venv's Python, the oracle of the differential tests.
public enum TestRepository {
    /// The directory holding Package.swift, found upward from this file.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            let parent = url.deletingLastPathComponent()
            precondition(parent.path != url.path, "Package.swift not found above \(#filePath)")
            url = parent
        }
        return url
    }()

    /// `shared/corpus` next to the checkout: real wheels (`wheels/`) and `MANIFEST.json`.
    public static var corpus: URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus", isDirectory: true)
    }

    /// The corpus's wheels folder.
    public static var corpusWheels: URL { corpus.appendingPathComponent("wheels", isDirectory: true) }

    /// Whether the tests run in CI (`CI` set), where a missing oracle is a failure, not a skip.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false }

    /// A Python that can `import packaging`: `$LAZYWHEEL_TEST_PYTHON`, else `.venv/bin/python` of
    /// the package; nil when neither works.
    public static let python: String? = {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["LAZYWHEEL_TEST_PYTHON"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        candidates.append(packageRoot.appendingPathComponent(".venv/bin/python").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if (try? run(candidate, ["-c", "import packaging"]))?.status == 0 { return candidate }
        }
        return nil
    }()

    /// What a finished process printed.
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: String
    }

    /// Runs `executable` with `arguments`, `input` on its standard input, until it ends.
    public static func run(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // stderr goes to a file so that a chatty child never blocks on a full pipe.
        let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("lazywheel-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorURL) }
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        let outputPipe = Pipe()
        let inputPipe = Pipe()
        process.standardError = errorHandle
        process.standardOutput = outputPipe
        process.standardInput = inputPipe
        try process.run()
        let writer = Thread {
            if let input { inputPipe.fileHandleForWriting.write(input) }
            try? inputPipe.fileHandleForWriting.close()
        }
        writer.start()
        let output = outputPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errorHandle.close()
        let errors = (try? Data(contentsOf: errorURL)) ?? Data()
        return Output(status: process.terminationStatus, stdout: output, stderr: String(decoding: errors, as: UTF8.self))
    }
}
