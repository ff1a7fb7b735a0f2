#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why ``StandardIOGuard`` could not move the standard streams (POSIX `dup`/`dup2`/`open`).
public enum StandardIOGuardError: Error, Hashable, Sendable, CustomStringConvertible {
    case duplicateFailed(descriptor: Int32, errno: Int32)
    case redirectFailed(descriptor: Int32, errno: Int32)
    case openNullDeviceFailed(errno: Int32)

    public var description: String {
        switch self {
        case .duplicateFailed(let descriptor, let code):
            return "could not duplicate file descriptor \(descriptor): \(String(cString: strerror(code)))"
        case .redirectFailed(let descriptor, let code):
            return "could not redirect file descriptor \(descriptor): \(String(cString: strerror(code)))"
        case .openNullDeviceFailed(let code):
            return "could not open /dev/null: \(String(cString: strerror(code)))"
        }
    }
}

/// Keeps the protocol streams of `lazywheel serve` private, like sourcekit-lsp does at start-up.
///
/// The LSP base protocol runs over standard input/output, so a stray `print` (from any library)
/// or a child process inheriting fd 0/1 would corrupt or steal protocol bytes. Call
/// ``claimStandardStreams()`` once, first thing in `main`, and give the returned descriptors to
/// ``JSONRPCConnection``: fd 1 then points at standard error and fd 0 at `/dev/null`.
public enum StandardIOGuard {
    /// Moves the protocol output away from `standardOutput`: duplicates it (close-on-exec) for the
    /// protocol, then points `standardOutput` at `standardError`. Returns the protocol descriptor.
    public static func claimOutput(
        standardOutput: Int32 = STDOUT_FILENO, standardError: Int32 = STDERR_FILENO
    ) throws(StandardIOGuardError) -> Int32 {
        fflush(nil)
        let protocolOutput = fcntl(standardOutput, F_DUPFD_CLOEXEC, 0)
        guard protocolOutput >= 0 else { throw .duplicateFailed(descriptor: standardOutput, errno: errno) }
        guard dup2(standardError, standardOutput) >= 0 else {
            let code = errno
            close(protocolOutput)
            throw .redirectFailed(descriptor: standardOutput, errno: code)
        }
        return protocolOutput
    }

    /// Moves the protocol input away from `standardInput`: duplicates it (close-on-exec) for the
    /// protocol, then points `standardInput` at `/dev/null`. Returns the protocol descriptor.
    public static func claimInput(standardInput: Int32 = STDIN_FILENO) throws(StandardIOGuardError) -> Int32 {
        let protocolInput = fcntl(standardInput, F_DUPFD_CLOEXEC, 0)
        guard protocolInput >= 0 else { throw .duplicateFailed(descriptor: standardInput, errno: errno) }
        let null = open("/dev/null", O_RDONLY)
        guard null >= 0 else {
            let code = errno
            close(protocolInput)
            throw .openNullDeviceFailed(errno: code)
        }
        defer { close(null) }
        guard dup2(null, standardInput) >= 0 else {
            let code = errno
            close(protocolInput)
            throw .redirectFailed(descriptor: standardInput, errno: code)
        }
        return protocolInput
    }

    /// Claims both standard streams; returns the descriptors the protocol must use.
    public static func claimStandardStreams() throws(StandardIOGuardError) -> (input: Int32, output: Int32) {
        let output = try claimOutput()
        let input = try claimInput()
        return (input, output)
    }
}
