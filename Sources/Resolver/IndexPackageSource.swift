import Foundation
import PackageIndex
import PackagingStandards
import WorkScheduling

/// A ``PackageSource`` over the package index: project pages from ``IndexClient`` (PEP 503/691
/// simple API plus find-links) and metadata from ``MetadataFetcher`` (PEP 658 file, lazily from
/// the wheel's central directory, or an sdist's `PKG-INFO`).
public struct IndexPackageSource: PackageSource {
    public let index: IndexClient
    public let fetcher: MetadataFetcher

    public init(index: IndexClient, fetcher: MetadataFetcher) {
        self.index = index
        self.fetcher = fetcher
    }

    public func files(for project: String, cancellation: CancellationToken?) throws -> [DistributionFile] {
        do {
            return try index.projectPage(project, cancellation: cancellation).files
        } catch IndexClientError.projectNotFound {
            return []
        }
    }

    public func metadata(for file: DistributionFile, project: String, cancellation: CancellationToken?) throws -> CoreMetadata {
        try fetcher.metadata(for: file, cancellation: cancellation).metadata
    }

    public func metadata(forDirectReference url: String, cancellation: CancellationToken?) throws -> CoreMetadata {
        let location = url.contains("://") ? URL(string: url) : URL(fileURLWithPath: url)
        guard let location else { throw URLError(.badURL) }
        let file = DistributionFile(filename: location.lastPathComponent, url: location)
        return try fetcher.metadata(for: file, cancellation: cancellation).metadata
    }
}
