import Foundation

/// The process's environment variables and working directory, read through Foundation.
///
/// Callers take the environment as a plain dictionary, so tests can pass one of their own.
public enum ProcessEnvironment {
    /// Name → value, read once.
    public static let variables: [String: String] = ProcessInfo.processInfo.environment

    /// The working directory's path, empty when it cannot be told (removed, or a path too long).
    public static var currentDirectory: String {
        FileManager.default.currentDirectoryPath
    }
}
