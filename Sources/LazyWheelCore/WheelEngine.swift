import Foundation
import HTTPRange
import LazyZip
import PackageIndex
import PackagingStandards
import WorkScheduling

/// A wheel opened lazily: its central directory is known, its bytes are fetched on demand.
public struct OpenedWheel: Sendable {
    /// Where it was opened from.
    public let location: WheelLocation
    /// The wheel, its interval cache and its central directory.
    public let wheel: LazyWheel
    /// The parsed file name (PEP 427), when the location ends in a valid wheel file name.
    public let filename: WheelFilename?

    /// The wheel read from `location`, its file name parsed from the location's last component.
    package init(location: WheelLocation, wheel: LazyWheel) {
        self.location = location
        self.wheel = wheel
        filename = try? WheelFilename(location.filename)
    }

    /// Accepts the `X.dist-info` directory named by the file name, or any when it has no valid name.
    public func distInfoMatches(_ directory: String) -> Bool {
        filename?.distInfoMatches(directory) ?? true
    }
}

/// The lazy wheel engine shared by the command line and the server: wheels opened at a
/// ``WheelLocation``, read through one ``WheelAccess`` (HTTP client, per-host range capabilities,
/// transfer statistics, fetch pool, tail length), which index lookups use too.
public final class WheelEngine: Sendable {
    /// How every wheel, and every index file's METADATA, is read.
    let access: WheelAccess
    /// The HTTP client every remote wheel is read through.
    public var client: HTTPClient { access.client }
    /// What each host was seen to support (suffix ranges, ranges at all).
    public var capabilities: HostCapabilities { access.capabilities }
    /// Requests, bytes and cache hits of everything this engine did.
    public var statistics: TransferStatistics { access.statistics }
    /// Bytes of the first suffix request.
    public var tailLength: Int { access.tailLength }

    public init(access: WheelAccess = WheelAccess()) {
        self.access = access
    }

    /// The byte source for `location`.
    func source(for location: WheelLocation, headers: [String: String] = [:]) throws -> any ByteSource {
        switch location {
        case .remote(let url): try access.source(for: url, headers: HTTPHeaderFields(headers))
        case .local(let path): try access.source(for: URL(fileURLWithPath: path))
        }
    }

    /// Opens the wheel at `location`: one suffix request, plus one when its central directory is
    /// longer than the tail.
    public func open(
        _ location: WheelLocation, headers: [String: String] = [:], cancellation: CancellationToken? = nil
    ) throws -> OpenedWheel {
        let wheel = try access.open(try source(for: location, headers: headers), cancellation: cancellation)
        return OpenedWheel(location: location, wheel: wheel)
    }

    /// The core metadata of the wheel at `location` when nothing else of it is needed: no handle,
    /// and the central directory only as far as the tail holds it when METADATA's entry is there.
    public func metadata(
        at location: WheelLocation, headers: [String: String] = [:], cancellation: CancellationToken? = nil
    ) throws -> CoreMetadata {
        let filename = try? WheelFilename(location.filename)
        let bytes = try access.metadata(
            of: try source(for: location, headers: headers), distInfoMatches: { filename?.distInfoMatches($0) ?? true },
            cancellation: cancellation)
        return CoreMetadata(bytes: bytes)
    }

    /// The wheel's core metadata, read with at most one more request.
    public func metadata(of opened: OpenedWheel, cancellation: CancellationToken? = nil) throws -> CoreMetadata {
        let bytes = try opened.wheel.readMetadata(distInfoMatches: opened.distInfoMatches, cancellation: cancellation)
        return CoreMetadata(bytes: bytes)
    }
}
