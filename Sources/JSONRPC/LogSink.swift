import Foundation

/// How important a log line from the JSON-RPC layer is.
public enum LogLevel: Int, Comparable, Sendable, CustomStringConvertible {
    case debug, info, warning, error

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }
}

/// Where the JSON-RPC layer writes its diagnostics. Never standard output: in `lazywheel serve`
/// standard output carries the protocol (LSP base protocol), so one stray line would corrupt it.
public struct LogSink: Sendable {
    /// Lines below this level are dropped.
    public var minimumLevel: LogLevel
    private let write: @Sendable (LogLevel, String) -> Void

    /// A sink that hands each line at or above `minimumLevel` to `write`.
    public init(minimumLevel: LogLevel = .info, write: @escaping @Sendable (LogLevel, String) -> Void) {
        self.minimumLevel = minimumLevel
        self.write = write
    }

    /// Writes `[label] level: message` lines to standard error (file descriptor 2).
    public static func standardError(label: String = "jsonrpc", minimumLevel: LogLevel = .info) -> LogSink {
        LogSink(minimumLevel: minimumLevel) { level, message in
            FileHandle.standardError.write(Data("[\(label)] \(level): \(message)\n".utf8))
        }
    }

    /// A sink that drops everything.
    public static let discard = LogSink(minimumLevel: .error) { _, _ in }

    /// Logs `message` when `level` is at or above ``minimumLevel``.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard level >= minimumLevel else { return }
        write(level, message())
    }
}
