#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's environment variables, read from `environ` once.
///
/// `ProcessInfo.processInfo.environment` gives the same dictionary; this one also lets tests and
/// callers pass an environment as a plain dictionary.
public enum ProcessEnvironment {
    /// Name → value; a later duplicate of a name wins, as with `ProcessInfo`.
    public static let variables: [String: String] = {
        var variables: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return variables
    }()

    /// The working directory's path (`getcwd`), empty when it cannot be told (removed, or a path
    /// too long), as `FileManager.default.currentDirectoryPath` gives it without making a
    /// `FileManager`.
    public static var currentDirectory: String {
        guard let path = getcwd(nil, 0) else { return "" }
        defer { free(path) }
        return String(cString: path)
    }
}
