import Foundation
import WorkScheduling

/// What has been learned about each host's support for byte ranges (RFC 9110 §14), shared by every
/// ``HTTPRangeSource`` of a session so later files on a host skip requests known to fail.
/// Thread-safe. Hosts are keyed by origin (scheme, host, port).
public final class HostCapabilities: Sendable {
    /// What one host is known to do.
    public struct Capabilities: Sendable, Equatable {
        /// The host refuses suffix ranges (`bytes=-N`) or answers them from the start of the file.
        public var refusesSuffixRanges = false
        /// The host ignored `Range` and sent whole files.
        public var ignoresRange = false

        public init(refusesSuffixRanges: Bool = false, ignoresRange: Bool = false) {
            self.refusesSuffixRanges = refusesSuffixRanges
            self.ignoresRange = ignoresRange
        }
    }

    private let hosts = Locked<[String: Capabilities]>([:])

    public init() {}

    /// What is known about the host of `url` (defaults when nothing is).
    public func capabilities(for url: URL) -> Capabilities {
        hosts.withLock { $0[Self.key(url)] ?? Capabilities() }
    }

    /// Remembers that the host of `url` does not serve suffix ranges.
    public func recordRefusesSuffixRanges(_ url: URL) {
        hosts.withLock { $0[Self.key(url), default: Capabilities()].refusesSuffixRanges = true }
    }

    /// Remembers that the host of `url` ignores `Range`.
    public func recordIgnoresRange(_ url: URL) {
        hosts.withLock { $0[Self.key(url), default: Capabilities()].ignoresRange = true }
    }

    private static func key(_ url: URL) -> String { url.origin }
}

extension URL {
    /// The origin (RFC 6454): lowercased scheme and host, and the port with its default filled in.
    var origin: String {
        let scheme = self.scheme?.lowercased() ?? ""
        let port = self.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host?.lowercased() ?? ""):\(port)"
    }
}
