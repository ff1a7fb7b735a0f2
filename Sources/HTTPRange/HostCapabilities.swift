import Foundation
import WorkScheduling

/// What has been learned about each host's support for byte ranges (RFC 9110 §14), shared by every
/// ``HTTPRangeSource`` of a session so later files on a host skip requests known to fail.
/// Thread-safe. Hosts are keyed by origin (scheme, host, port).
///
/// With a `directory`, that a host ignores ranges is also remembered on disk (one empty file per
/// host, named by the hex of its origin) for ``rememberedFor`` seconds, so the next process goes
/// straight to reading that host's wheels front to back.
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

    /// How long a host stays known on disk as one that ignores ranges: a week, after which it is
    /// asked for a range again (its server may have changed).
    public static let rememberedFor: TimeInterval = 7 * 86_400

    private let hosts = Locked<[String: Capabilities]>([:])
    private let directory: String?

    /// - Parameter directory: where hosts that ignore ranges are remembered across processes
    ///   (created when needed); nil keeps everything in memory.
    public init(directory: String? = nil) {
        self.directory = directory
    }

    /// What is known about the host of `url` (defaults when nothing is).
    public func capabilities(for url: URL) -> Capabilities {
        let key = Self.key(url)
        if let known = hosts.withLock({ $0[key] }) { return known }
        let remembered = Capabilities(ignoresRange: isRememberedOnDisk(key))
        return hosts.withLock { hosts in
            if let known = hosts[key] { return known }
            hosts[key] = remembered
            return remembered
        }
    }

    /// Remembers that the host of `url` does not serve suffix ranges.
    public func recordRefusesSuffixRanges(_ url: URL) {
        hosts.withLock { $0[Self.key(url), default: Capabilities()].refusesSuffixRanges = true }
    }

    /// Remembers that the host of `url` ignores `Range`, here and on disk.
    public func recordIgnoresRange(_ url: URL) {
        let key = Self.key(url)
        let isNew = hosts.withLock { hosts in
            let isNew = hosts[key]?.ignoresRange != true
            hosts[key, default: Capabilities()].ignoresRange = true
            return isNew
        }
        if isNew, let path = diskPath(key) {
            try? FileManager.default.createDirectory(atPath: directory!, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
    }

    /// The origins known to ignore `Range`, sorted (for `--stats` and `stats`).
    public var hostsIgnoringRange: [String] {
        hosts.withLock { $0.filter(\.value.ignoresRange).keys.sorted() }
    }

    private func isRememberedOnDisk(_ key: String) -> Bool {
        guard let path = diskPath(key),
              let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        else { return false }
        return Date().timeIntervalSince(modified) < Self.rememberedFor
    }

    private func diskPath(_ key: String) -> String? {
        guard let directory else { return nil }
        let name = key.utf8.map { String(format: "%02x", $0) }.joined()
        return (directory.hasSuffix("/") ? directory : directory + "/") + name
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
