import Foundation
import Synchronization
import PackagingStandards
import WorkScheduling

/// Whether a file was yanked from its index (PEP 592): still installable when pinned with `==`,
/// never chosen otherwise.
public enum YankState: Sendable, Hashable, Codable {
    case notYanked
    /// Yanked, with the index's reason when it gave one.
    case yanked(reason: String?)

    public var isYanked: Bool {
        if case .yanked = self { return true }
        return false
    }

    public var reason: String? {
        if case .yanked(let reason) = self { return reason }
        return nil
    }
}

/// Whether the index serves the file's core metadata on its own at `<file url>.metadata`
/// (PEP 658, renamed `core-metadata` by PEP 714), and the hashes of that metadata file.
public enum MetadataAvailability: Sendable, Hashable, Codable {
    case absent
    /// Served; `hashes` maps algorithm (`sha256`) to lowercase hex digest, empty when the index only
    /// said `true`.
    case present(hashes: [String: String])

    public var isPresent: Bool {
        if case .present = self { return true }
        return false
    }

    /// The advertised SHA-256 of the metadata file, when given.
    public var sha256: String? {
        if case .present(let hashes) = self { return hashes["sha256"] }
        return nil
    }
}

/// The archive format of a source distribution (PEP 625 standardizes `.tar.gz`; older indexes also
/// serve `.zip`).
public enum SdistFormat: String, Sendable, Hashable, Codable {
    case tarGz = "tar.gz"
    case zip
}

/// One file listed on a project page of a simple repository (PEP 503 anchor / PEP 691 `files[]`
/// entry), with everything the index said about it.
///
/// Immutable, and one shared reference underneath: a long page has thousands of files, and the
/// resolver groups, filters and keeps them, so a copy is a retain rather than a dozen.
public struct DistributionFile: Sendable, Hashable {
    // Internal rather than private, so that the getters a resolver calls for every file of a long
    // page can be inlined into it (``requiresPython``, ``yanked``, ``kind``, ``version``): a call
    // into this module hands each value over with a retain and a release.
    @usableFromInline final class Storage: Sendable {
        let filename: String
        /// ``url``'s text, or when `urlEndsWithFilename` its part before ``filename`` (files of
        /// one page read from an archive share that part); the URL itself is parsed when first
        /// asked for (``resolvedURL``).
        let urlHead: String
        let urlEndsWithFilename: Bool
        let resolvedURL = AtomicLazyReference<ResolvedURL>()
        let hashes: FileHashes
        @usableFromInline let requiresPython: String?
        @usableFromInline let yanked: YankState
        @usableFromInline let coreMetadata: MetadataAvailability
        let size: Int64?
        let uploadTime: String?
        @usableFromInline let kind: DistributionKind
        @usableFromInline let version: Version?

        convenience init(
            filename: String, urlHead: String, urlEndsWithFilename: Bool, hashes: [String: String], requiresPython: String?,
            yanked: YankState, coreMetadata: MetadataAvailability, size: Int64?, uploadTime: String?, projectName: String?
        ) {
            let kind = DistributionKind(filename: filename)
            self.init(
                filename: filename, urlHead: urlHead, urlEndsWithFilename: urlEndsWithFilename, hashes: FileHashes(hashes),
                requiresPython: requiresPython, yanked: yanked, coreMetadata: coreMetadata, size: size, uploadTime: uploadTime,
                kind: kind, version: DistributionKind.version(filename: filename, kind: kind, projectName: projectName))
        }

        init(
            filename: String, urlHead: String, urlEndsWithFilename: Bool, hashes: FileHashes, requiresPython: String?,
            yanked: YankState, coreMetadata: MetadataAvailability, size: Int64?, uploadTime: String?, kind: DistributionKind,
            version: Version?
        ) {
            self.filename = filename
            self.urlHead = urlHead
            self.urlEndsWithFilename = urlEndsWithFilename
            self.hashes = hashes
            self.requiresPython = requiresPython
            self.yanked = yanked
            self.coreMetadata = coreMetadata
            self.size = size
            self.uploadTime = uploadTime
            self.kind = kind
            self.version = version
        }

        var urlText: String { urlEndsWithFilename ? urlHead + filename : urlHead }

        var url: URL {
            if let resolved = resolvedURL.load() { return resolved.url }
            // Only texts that parse reach here: the public initializer stores its URL at once,
            // and ``ProjectPageArchive`` archives pages whose URLs parse back from their text.
            return resolvedURL.storeIfNil(ResolvedURL(URL(string: urlText)!)).url
        }
    }

    final class ResolvedURL: Sendable {
        let url: URL
        init(_ url: URL) { self.url = url }
    }

    @usableFromInline let storage: Storage

    /// The file name (the last path component of ``url``).
    public var filename: String { storage.filename }
    /// Absolute URL of the file, without the `#sha256=` fragment.
    public var url: URL { storage.url }
    /// ``url``'s `absoluteString`, without making the URL.
    public var urlText: String { storage.urlText }

    /// The start of ``urlText`` (all of it, or the part before the file name), scheme included.
    var urlHeadText: String { storage.urlHead }
    /// Hashes of the file, algorithm → lowercase hex digest (from the URL fragment or `hashes`).
    public var hashes: [String: String] { storage.hashes.dictionary }
    /// ``hashes`` as stored.
    var compactHashes: FileHashes { storage.hashes }
    /// The part of ``urlText`` before ``filename``, when the file keeps its URL text that way: a
    /// plain link of an HTML page (``PageLinkResolver``) or a file read from a page archive, whose
    /// texts are known to parse back to themselves. Nil for a URL kept whole.
    var splitURL: String? { storage.urlEndsWithFilename ? storage.urlHead : nil }
    /// The `Requires-Python` specifier text the index advertises (`data-requires-python`,
    /// `requires-python`), HTML entities already decoded.
    @inlinable public var requiresPython: String? { storage.requiresPython }
    /// Yank status (PEP 592).
    @inlinable public var yanked: YankState { storage.yanked }
    /// Whether `<url>.metadata` exists (PEP 658/714).
    @inlinable public var coreMetadata: MetadataAvailability { storage.coreMetadata }
    /// File size in bytes (PEP 700), when the index says.
    public var size: Int64? { storage.size }
    /// Upload time as the index wrote it (PEP 700, ISO 8601), when given.
    public var uploadTime: String? { storage.uploadTime }
    /// What kind of distribution the file name says this is.
    @inlinable public var kind: DistributionKind { storage.kind }
    /// The version the file name carries, when it parses (PEP 440).
    @inlinable public var version: Version? { storage.version }

    public init(
        filename: String, url: URL, hashes: [String: String] = [:], requiresPython: String? = nil,
        yanked: YankState = .notYanked, coreMetadata: MetadataAvailability = .absent,
        size: Int64? = nil, uploadTime: String? = nil, projectName: String? = nil
    ) {
        storage = Storage(
            filename: filename, urlHead: url.absoluteString, urlEndsWithFilename: false, hashes: hashes,
            requiresPython: requiresPython, yanked: yanked, coreMetadata: coreMetadata, size: size, uploadTime: uploadTime,
            projectName: projectName)
        _ = storage.resolvedURL.storeIfNil(ResolvedURL(url))
    }

    /// A file at `directoryText` + `filename`, a text known to parse back to itself (plain links
    /// of an HTML page, ``PageLinkResolver``), whose URL is made when first used.
    init(
        filename: String, directoryText: String, hashes: [String: String], requiresPython: String?, yanked: YankState,
        coreMetadata: MetadataAvailability, projectName: String?
    ) {
        storage = Storage(
            filename: filename, urlHead: directoryText, urlEndsWithFilename: true, hashes: hashes,
            requiresPython: requiresPython, yanked: yanked, coreMetadata: coreMetadata, size: nil, uploadTime: nil,
            projectName: projectName)
    }

    /// A file whose name was parsed before, into `kind` and `version`, and whose URL is parsed
    /// from its text when first used: for texts known to parse, such as those
    /// ``ProjectPageArchive`` checked when it archived them. Most files of a long page are never
    /// fetched, and parsing their names and URLs again would be most of reading a cached page. The
    /// URL's text is `urlHead`, followed by `filename` when `urlEndsWithFilename`.
    init(
        filename: String, urlHead: String, urlEndsWithFilename: Bool, hashes: FileHashes, requiresPython: String?,
        yanked: YankState, coreMetadata: MetadataAvailability, size: Int64?, uploadTime: String?, kind: DistributionKind,
        version: Version?
    ) {
        storage = Storage(
            filename: filename, urlHead: urlHead, urlEndsWithFilename: urlEndsWithFilename, hashes: hashes,
            requiresPython: requiresPython, yanked: yanked, coreMetadata: coreMetadata, size: size, uploadTime: uploadTime,
            kind: kind, version: version)
    }

    public static func == (a: DistributionFile, b: DistributionFile) -> Bool {
        a.storage === b.storage || (
            a.filename == b.filename && a.urlText == b.urlText && a.compactHashes == b.compactHashes && a.requiresPython == b.requiresPython
                && a.yanked == b.yanked && a.coreMetadata == b.coreMetadata && a.size == b.size
                && a.uploadTime == b.uploadTime && a.version == b.version)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(filename)
        hasher.combine(urlText)
        hasher.combine(compactHashes)
        hasher.combine(requiresPython)
        hasher.combine(yanked)
        hasher.combine(coreMetadata)
        hasher.combine(size)
        hasher.combine(uploadTime)
    }

    /// The file's SHA-256 as advertised by the index, when given.
    public var sha256: String? { storage.hashes.sha256 }

    /// The parsed `requires-python` specifiers; nil when absent or unparsable (then not a filter).
    public var requiresPythonSpecifiers: SpecifierSet? {
        requiresPython.flatMap(RequiresPythonMemo.specifiers(for:))
    }

    /// The URL of the PEP 658 metadata file: the file URL with `.metadata` appended.
    public var metadataURL: URL {
        URL(string: urlText + ".metadata") ?? url.appendingPathExtension("metadata")
    }
}

/// A project's page on a simple repository: its files and, from PEP 700 JSON, its versions.
public struct ProjectPage: Sendable, Hashable {
    /// The project name as the page gives it (PEP 691 `name`), or the name that was asked for.
    public var name: String
    /// Every listed file, in page order.
    public var files: [DistributionFile]
    /// The top-level `versions` list of a PEP 700 JSON page (empty for HTML pages).
    public var versions: [String]
    /// `meta.api-version` (PEP 691 JSON) or the `pypi:repository-version` meta tag (PEP 629).
    public var apiVersion: String?
    /// The URL the page was read from (after redirects).
    public var url: URL

    public init(name: String, files: [DistributionFile], versions: [String] = [], apiVersion: String? = nil, url: URL) {
        self.name = name
        self.files = files
        self.versions = versions
        self.apiVersion = apiVersion
        self.url = url
    }
}

/// `requires-python` texts parsed once per process: a project page repeats a handful of them over
/// thousands of files, and the resolver and the prefetcher read them for every file. Bounded, so
/// that an index sending a different text per file costs parsing, not memory.
enum RequiresPythonMemo {
    private static let parsed = Memo<String, SpecifierSet?>(capacity: 4096)

    static func specifiers(for text: String) -> SpecifierSet? {
        parsed.value(for: text) { try? SpecifierSet($0) }
    }
}
