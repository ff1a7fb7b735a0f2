import Foundation
import TestSupport

/// Locations and tools these tests need: the shared ones of ``TestRepository``, and this target's
/// fixtures and oracle.
enum TestEnvironment {
    static var packageRoot: URL { TestRepository.packageRoot }
    static var corpus: URL { TestRepository.corpus }
    static var fixtures: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures") }
    static var isCI: Bool { TestRepository.isCI }
    /// A Python that can `import packaging` (see ``TestRepository/python``).
    static var python: String? { TestRepository.python }
    static var oracleScript: URL { packageRoot.appendingPathComponent("scripts/oracle/packaging_oracle.py") }

    static func run(_ executable: String, _ arguments: [String]) throws -> TestRepository.Output {
        try TestRepository.run(executable, arguments)
    }
}
