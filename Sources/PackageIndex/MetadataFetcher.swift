import Crypto
import Foundation
import HTTPRange
import LazyZip
import PackagingStandards
import WorkScheduling

/// Where a distribution's core metadata came from, cheapest first.
public enum MetadataOrigin: String, Sendable, Equatable, Codable {
    /// lazywheel's metadata cache: no request.
    case cache
    /// The PEP 658/714 `<file>.metadata` file: one small request.
    case metadataFile
    /// The wheel's ZIP tail and METADATA member, read with range requests.
    case wheelRanges
    /// The `PKG-INFO` of a source distribution (PEP 643 trustworthy metadata).
    case sdistPKGInfo
}

/// The core metadata of one distribution file: the bytes as served and their parse.
public struct FetchedMetadata: Sendable, Equatable {
    public var bytes: Data
    public var metadata: CoreMetadata
    public var origin: MetadataOrigin

    public init(bytes: Data, origin: MetadataOrigin) {
        self.bytes = bytes
        self.metadata = CoreMetadata(bytes: bytes)
        self.origin = origin
    }
}

/// Why metadata could not be fetched (see also ``SdistMetadataError``).
public enum MetadataFetchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The PEP 658 metadata file does not match the hash the index advertised.
    case hashMismatch(url: String, expected: String, actual: String)
    /// The PEP 658 metadata file answered an error status.
    case unexpectedStatus(url: String, status: Int)
    /// The file is neither a wheel nor a supported sdist.
    case unsupportedFile(filename: String)

    public var description: String {
        switch self {
        case .hashMismatch(let url, let expected, let actual):
            "the metadata file \(redactingCredentials(in: url)) has sha256 \(actual) but the index promised \(expected); the index or a proxy serves stale or altered files"
        case .unexpectedStatus(let url, let status):
            "fetching the metadata file \(redactingCredentials(in: url)) failed with HTTP \(status)"
        case .unsupportedFile(let filename):
            "\(filename) is neither a wheel nor a .tar.gz/.zip source distribution, so lazywheel cannot read its metadata"
        }
    }
}

/// Gets the core metadata of a ``DistributionFile`` with as few bytes and requests as possible, in
/// this order:
///
/// 1. the on-disk cache (keyed by file URL and the index's sha256): zero requests;
/// 2. the PEP 658/714 metadata file when the index offers one: one small GET, checked against the
///    advertised sha256;
/// 3. for wheels, the wheel read through ``WheelAccess`` (a tail read, at most two more ranges),
///    picking the `.dist-info` directory with the wheel name's ``WheelFilename/distInfoMatches(_:)``;
///    for sdists, ``SdistArchiveReader`` with the PEP 643 trust rules.
///
/// `file://` URLs are read from disk. Thread-safe.
public final class MetadataFetcher: Sendable {
    private let access: WheelAccess
    private let transport: any IndexHTTPTransport
    private let cache: HTTPCache?
    private let configuration: IndexConfiguration?

    /// - Parameters:
    ///   - access: how wheels and sdists are read (the engine's, so its tail length and pool apply).
    ///   - transport: used for the PEP 658 GET (defaults to `access`'s client).
    ///   - configuration: supplies credentials for file hosts.
    public init(
        access: WheelAccess, transport: (any IndexHTTPTransport)? = nil, cache: HTTPCache? = nil,
        configuration: IndexConfiguration? = nil
    ) {
        self.access = access
        self.transport = transport ?? HTTPClientTransport(client: access.client, statistics: access.statistics)
        self.cache = cache
        self.configuration = configuration
    }

    /// A fetcher reading through a ``WheelAccess`` of `client`, `statistics` and `capabilities`.
    public convenience init(
        client: HTTPClient, transport: (any IndexHTTPTransport)? = nil, cache: HTTPCache? = nil,
        statistics: TransferStatistics = TransferStatistics(), capabilities: HostCapabilities = HostCapabilities(),
        configuration: IndexConfiguration? = nil
    ) {
        self.init(
            access: WheelAccess(client: client, capabilities: capabilities, statistics: statistics),
            transport: transport, cache: cache, configuration: configuration)
    }

    /// The metadata of `file` (see the type's documentation for the order of attempts).
    public func metadata(for file: DistributionFile, cancellation: CancellationToken? = nil) throws -> FetchedMetadata {
        try cancellation.throwIfCancelled()
        if case .other = file.kind { throw MetadataFetchError.unsupportedFile(filename: file.filename) }
        let isLocal = file.url.isFileURL
        if !isLocal, let cached = cache?.metadata(forFileURL: file.url, sha256: file.sha256) {
            return FetchedMetadata(bytes: cached, origin: .cache)
        }
        let fetched: FetchedMetadata
        if !isLocal, file.coreMetadata.isPresent, let bytes = try metadataFile(of: file, cancellation: cancellation) {
            fetched = FetchedMetadata(bytes: bytes, origin: .metadataFile)
        } else {
            fetched = try metadataFromArchive(of: file, cancellation: cancellation)
        }
        if !isLocal { cache?.storeMetadata(fetched.bytes, forFileURL: file.url, sha256: file.sha256) }
        return fetched
    }

    /// The PEP 658 file, hash-checked; nil when the index advertised it but does not serve it
    /// (404), so the archive is read instead.
    private func metadataFile(of file: DistributionFile, cancellation: CancellationToken?) throws -> Data? {
        var headers = HTTPHeaderFields()
        if let credentials = configuration?.credentials(for: file.metadataURL) {
            headers["Authorization"] = credentials.authorizationHeader
        }
        let response = try transport.get(file.metadataURL, headers: headers, cancellation: cancellation)
        if response.status == 404 || response.status == 410 { return nil }
        guard response.status == 200 else {
            throw MetadataFetchError.unexpectedStatus(url: file.metadataURL.absoluteString, status: response.status)
        }
        if let expected = file.coreMetadata.sha256 {
            let actual = SHA256.hexDigest(response.body)
            guard actual == expected.lowercased() else {
                throw MetadataFetchError.hashMismatch(url: file.metadataURL.absoluteString, expected: expected, actual: actual)
            }
        }
        return response.body
    }

    private func metadataFromArchive(of file: DistributionFile, cancellation: CancellationToken?) throws -> FetchedMetadata {
        let source = try byteSource(for: file)
        switch file.kind {
        case .wheel(let wheel):
            let bytes = try access.metadata(of: source, distInfoMatches: wheel.distInfoMatches, cancellation: cancellation)
            return FetchedMetadata(bytes: bytes, origin: .wheelRanges)
        case .sdist:
            let knownSize = file.size ?? (source as? FileByteSource)?.size
            let bytes = try SdistArchiveReader.readPKGInfo(
                filename: file.filename, source: source, knownSize: knownSize, cancellation: cancellation)
            let fetched = FetchedMetadata(bytes: bytes, origin: .sdistPKGInfo)
            try Self.checkTrustworthy(fetched.metadata, filename: file.filename)
            return fetched
        case .other:
            throw MetadataFetchError.unsupportedFile(filename: file.filename)
        }
    }

    private func byteSource(for file: DistributionFile) throws -> any ByteSource {
        guard ["http", "https", "file"].contains(file.url.scheme?.lowercased() ?? "") else {
            throw HTTPClientError.unsupportedScheme(url: redactingCredentials(in: file.url.absoluteString))
        }
        var url = file.url
        if !url.isFileURL, let credentials = configuration?.credentials(for: url) { url = credentials.embedded(in: url) }
        return try access.source(for: url, knownSize: file.size)
    }

    /// PEP 643: sdist metadata is usable without a build only from Metadata-Version 2.2 on, and only
    /// when `Requires-Dist` and `Requires-Python` are not marked `Dynamic`.
    static func checkTrustworthy(_ metadata: CoreMetadata, filename: String) throws {
        let versionText = metadata.metadataVersion ?? "unknown"
        let parts = versionText.split(separator: ".").compactMap { Int($0) }
        let major = parts.first ?? 0
        let minor = parts.count > 1 ? parts[1] : 0
        guard major > 2 || (major == 2 && minor >= 2) else {
            throw SdistMetadataError.needsBuild(filename: filename, reason: "sdist with Metadata-Version \(versionText)")
        }
        let dynamic = Set(metadata.dynamic.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        for field in ["Requires-Dist", "Requires-Python"] where dynamic.contains(field.lowercased()) {
            throw SdistMetadataError.needsBuild(filename: filename, reason: "\(field) dynamic")
        }
    }
}
