import Foundation

/// Locations and tools the tests need, found relative to this file (never absolute paths).
enum TestEnvironment {
    /// The directory holding Package.swift.
    static let packageRoot: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `../shared/corpus` next to the checkout.
    static var corpus: URL { packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus") }

    static var fixtures: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures") }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false }

    /// A Python interpreter that can `import packaging`: `$LAZYWHEEL_TEST_PYTHON`, else
    /// `<package root>/.venv/bin/python`. nil when neither works.
    static let python: String? = {
        var candidates: [String] = []
        if let fromEnv = ProcessInfo.processInfo.environment["LAZYWHEEL_TEST_PYTHON"], !fromEnv.isEmpty { candidates.append(fromEnv) }
        candidates.append(packageRoot.appendingPathComponent(".venv/bin/python").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if (try? run(candidate, ["-c", "import packaging"]))?.status == 0 { return candidate }
        }
        return nil
    }()

    static var oracleScript: URL { packageRoot.appendingPathComponent("scripts/oracle/packaging_oracle.py") }

    struct Output {
        let status: Int32
        let stdout: Data
        let stderr: String
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // stderr goes to a file so a chatty child can never block on a full pipe.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("lazywheel-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let errHandle = try FileHandle(forWritingTo: errURL)
        let outPipe = Pipe()
        process.standardError = errHandle
        process.standardOutput = outPipe
        try process.run()
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errHandle.close()
        let err = (try? Data(contentsOf: errURL)) ?? Data()
        return Output(status: process.terminationStatus, stdout: outData, stderr: String(decoding: err, as: UTF8.self))
    }
}
