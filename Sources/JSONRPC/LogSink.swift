import Foundation
import WorkScheduling

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
///
/// Copies of a sink share one destination: ``redirect(to:)`` moves every holder of the sink (the
/// connection and the server session) to a log file at once.
public struct LogSink: Sendable {
    /// Lines below this level are dropped.
    public var minimumLevel: LogLevel
    private let destination: Locked<@Sendable (LogLevel, String) -> Void>

    /// A sink that hands each line at or above `minimumLevel` to `write`.
    public init(minimumLevel: LogLevel = .info, write: @escaping @Sendable (LogLevel, String) -> Void) {
        self.minimumLevel = minimumLevel
        self.destination = Locked(write)
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
        let write = destination.withLock { $0 }
        write(level, message())
    }

    /// Sends the lines of this sink and of every copy of it to `other` from now on.
    public func redirect(to other: LogSink) {
        destination.withLock { $0 = { level, message in other.log(level, message) } }
    }

    /// A sink appending `[label] level: message` lines to the regular file at `path` (created when
    /// missing). The file is opened without blocking (a FIFO nobody reads would block `open`) and
    /// must be a regular file on a disk: devices, FIFOs, sockets and the kernel's pseudo-files
    /// (`/proc`, `/sys`) are refused. A failed write drops the line: logging never stops the server.
    public static func appending(toFile path: String, label: String = "lazywheel") throws(LogFileError) -> LogSink {
        let file = try LogFile(path: path)
        return LogSink(minimumLevel: .info) { level, message in
            file.append(Array("[\(label)] \(level): \(message)\n".utf8))
        }
    }
}

/// Why a log file could not be used.
public enum LogFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case notRegularFile(path: String, kind: String)
    case pseudoFile(path: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            "cannot open the log file \(path): \(reason)"
        case let .notRegularFile(path, kind):
            "the log file \(path) is \(kind), not a regular file; give the path of a regular file"
        case let .pseudoFile(path):
            "the log file \(path) is a kernel pseudo-file (/proc, /sys), not a regular file; give the path of a regular file"
        }
    }
}

/// An open log file: one descriptor, lines appended whole under a lock.
private final class LogFile: Sendable {
    private let descriptor: Int32
    private let lock = Locked(())

    init(path: String) throws(LogFileError) {
        var status = stat()
        if lstat(path, &status) == 0, let kind = Self.kind(of: status.st_mode) {
            throw .notRegularFile(path: path, kind: kind)
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0o644)
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        // Checked again on the open descriptor: the path may have changed since lstat.
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .cannotOpen(path: path, reason: reason)
        }
        if let kind = Self.kind(of: status.st_mode) {
            close(descriptor)
            throw .notRegularFile(path: path, kind: kind)
        }
        if Self.isPseudoFileSystem(descriptor) {
            close(descriptor)
            throw .pseudoFile(path: path)
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    func append(_ bytes: [UInt8]) {
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }

    /// What the file is when it is not a regular file (nil for a regular file).
    private static func kind(of mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFLNK: nil  // followed by open, checked again by fstat
        default: "not a regular file"
        }
    }

    /// Whether the open file lies under `/proc` or `/sys`, whose "regular" files are kernel
    /// interfaces (writing `/proc/self/mem` writes the process's memory). The path is the one the
    /// kernel gives for the descriptor, after every symbolic link.
    private static func isPseudoFileSystem(_ descriptor: Int32) -> Bool {
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard length > 0 else { return false }
        let resolved = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return resolved.hasPrefix("/proc/") || resolved.hasPrefix("/sys/")
        #else
        return false
        #endif
    }
}
