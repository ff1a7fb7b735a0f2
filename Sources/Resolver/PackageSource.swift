import PackageIndex
import PackagingStandards
import WorkScheduling

/// Where the Python resolver reads projects from: the files an index (PEP 503/691 simple API,
/// merged with find-links) lists for a project, and the core metadata (PEP 566/643) of one file,
/// read from a PEP 658 `.metadata` file, lazily from the wheel, or from an sdist's `PKG-INFO`.
///
/// Calls may block on I/O and may come from several threads at once.
public protocol PackageSource: Sendable {
    /// Every file listed for `project` (canonical name); empty when the project does not exist.
    func files(for project: String, cancellation: CancellationToken?) throws -> [DistributionFile]
    /// The core metadata of `file` of `project`. Throws when it can not be had (for an sdist
    /// without static metadata: an error saying it needs a build).
    func metadata(for file: DistributionFile, project: String, cancellation: CancellationToken?) throws -> CoreMetadata
    /// The core metadata of a direct reference (PEP 440 "direct references": a URL or local path
    /// to a wheel or sdist), for requirements like `name @ file:///…/name-1.0-py3-none-any.whl`.
    func metadata(forDirectReference url: String, cancellation: CancellationToken?) throws -> CoreMetadata
}
