import Foundation

/// A project page that could not be read.
public enum SimpleIndexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A PEP 691 JSON page that is not valid JSON or lacks `files`.
    case malformedJSON(url: String, reason: String)
    /// A PEP 691 JSON page of a major API version this client does not understand.
    case unsupportedAPIVersion(url: String, version: String)
    /// A page listing more files than ``SimpleIndexParser/maximumFiles``.
    case tooManyFiles(url: String, limit: Int)

    public var description: String {
        switch self {
        case .malformedJSON(let url, let reason):
            "the index page \(redactingCredentials(in: url)) is not a valid PEP 691 JSON project page: \(reason)"
        case .unsupportedAPIVersion(let url, let version):
            "the index page \(redactingCredentials(in: url)) uses simple API version \(version); lazywheel understands 1.x"
        case .tooManyFiles(let url, let limit):
            "the index page \(redactingCredentials(in: url)) lists more than \(limit) files, more than any real project has; lazywheel stopped reading it rather than hold them all"
        }
    }
}

/// Parses project pages of a simple repository: PEP 503 HTML (with PEP 592 yanking, PEP 658/714
/// metadata attributes, PEP 629 repository version) and PEP 691 JSON (with PEP 700 `size`,
/// `upload-time` and `versions`), chosen by the response's `Content-Type` (PEP 691 content
/// negotiation).
///
/// The disk cache keeps what this parser reads from a page (``ProjectPageArchive``): a change that
/// makes it read pages differently must bump ``ProjectPageArchive/revision``.
public enum SimpleIndexParser {
    /// The `Accept` header for project pages: JSON preferred, HTML accepted (PEP 691).
    public static let acceptHeader =
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

    /// The JSON media type of PEP 691.
    public static let jsonContentType = "application/vnd.pypi.simple.v1+json"

    /// The most files a page may list. The largest projects of public indexes list tens of
    /// thousands; each parsed file costs about a kilobyte, so a hostile page of millions of short
    /// links would otherwise take gigabytes.
    public static let maximumFiles = 250_000

    /// Parses `body` as the page at `url`, by `contentType` (JSON for `application/vnd.pypi.simple.v1+json`
    /// or `application/json`; HTML otherwise). Without a content type, a body starting with `{` is
    /// JSON.
    public static func parseProjectPage(
        _ body: Data, contentType: String?, url: URL, projectName: String, maximumFiles: Int = maximumFiles
    ) throws(SimpleIndexError) -> ProjectPage {
        let mediaType = contentType?.split(separator: ";").first.map {
            $0.trimmingWhitespace().lowercased()
        }
        let isJSON: Bool
        switch mediaType {
        case "application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json", "application/json":
            isJSON = true
        case "text/html", "application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html", "application/xhtml+xml":
            isJSON = false
        default:
            isJSON = body.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) == UInt8(ascii: "{")
        }
        if isJSON {
            return try parseJSON(body, url: url, projectName: projectName, maximumFiles: maximumFiles)
        }
        return try parseHTML(body, url: url, projectName: projectName, maximumFiles: maximumFiles)
    }

    // MARK: HTML (PEP 503)

    /// Parses a PEP 503 HTML page. Garbage yields the anchors that could be found; only a page with
    /// more than ``maximumFiles`` anchors fails.
    public static func parseHTML(
        _ body: Data, url: URL, projectName: String, maximumFiles: Int = maximumFiles
    ) throws(SimpleIndexError) -> ProjectPage {
        let document = HTMLAnchorScanner.scan([UInt8](body), maximumAnchors: maximumFiles)
        guard !document.truncated else { throw .tooManyFiles(url: url.absoluteString, limit: maximumFiles) }
        var base = url
        if let href = document.baseHref, let resolved = URL(string: href, relativeTo: url)?.absoluteURL {
            base = resolved
        }
        var files: [DistributionFile] = []
        var links = PageLinkResolver(base: base)
        for anchor in document.anchors {
            guard let href = anchor.attributes["href"], !href.isEmpty,
                  let file = distributionFile(href: href, links: &links, attributes: anchor.attributes, text: anchor.text, projectName: projectName)
            else { continue }
            files.append(file)
        }
        return ProjectPage(name: projectName, files: files, apiVersion: document.repositoryVersion, url: url)
    }

    private static func distributionFile(
        href: String, links: inout PageLinkResolver, attributes: [String: String], text: String, projectName: String
    ) -> DistributionFile? {
        let trimmed = href.trimmingWhitespace(andNewlines: true)
        var yanked = YankState.notYanked
        if let reason = attributes["data-yanked"] {
            yanked = .yanked(reason: reason.isEmpty ? nil : reason)
        }
        let coreMetadata = metadataAvailability(htmlValue: attributes["data-core-metadata"] ?? attributes["data-dist-info-metadata"])
        let requiresPython = attributes["data-requires-python"].flatMap { $0.isEmpty ? nil : $0 }
        if let plain = links.resolve(trimmed) {
            // No URL made: the text is known to parse, and most files of a page are never fetched.
            return DistributionFile(
                filename: plain.filename, directoryText: plain.directory, hashes: Self.hashes(fromFragment: plain.fragment),
                requiresPython: requiresPython, yanked: yanked, coreMetadata: coreMetadata, projectName: projectName)
        }
        guard let (fileURL, hashes, filename) = resolveLink(trimmed, base: links.base, text: text) else { return nil }
        return DistributionFile(
            filename: filename, url: fileURL, hashes: hashes, requiresPython: requiresPython,
            yanked: yanked, coreMetadata: coreMetadata, projectName: projectName)
    }

    /// A file link resolved in full with Foundation: the file URL without fragment, the hashes of
    /// the fragment and the file name (``PageLinkResolver`` is the shortcut for plain links).
    static func resolveLink(_ href: String, base: URL, text: String) -> (url: URL, hashes: [String: String], filename: String)? {
        guard let resolved = URL(string: href, relativeTo: base)?.absoluteURL
            ?? URL(string: href.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed.union(["#", "%"])) ?? "", relativeTo: base)?.absoluteURL
        else { return nil }
        let (fileURL, hashes) = splitHashFragment(resolved)
        guard let filename = filename(of: fileURL, fallback: text) else { return nil }
        return (fileURL, hashes, filename)
    }

    /// `data-core-metadata`/`data-dist-info-metadata`: absent, `true`, or `<algorithm>=<hex>`.
    static func metadataAvailability(htmlValue: String?) -> MetadataAvailability {
        guard let value = htmlValue?.trimmingWhitespace() else { return .absent }
        if value.lowercased() == "false" { return .absent }
        if let equals = value.firstIndex(of: "=") {
            let algorithm = value[..<equals].lowercased()
            let digest = value[value.index(after: equals)...].lowercased()
            return .present(hashes: digest.isEmpty ? [:] : [algorithm: digest])
        }
        return .present(hashes: [:])
    }

    /// Separates a `#<algorithm>=<hex>` fragment from the file URL.
    static func splitHashFragment(_ url: URL) -> (URL, [String: String]) {
        // The text is cut at `#` when URLComponents would rebuild it unchanged and the fragment
        // needs no percent-decoding; otherwise URLComponents does the work.
        if let text = PlainURLText.of(url) {
            guard let hash = text.utf8.firstIndex(of: UInt8(ascii: "#")) else { return (url, [:]) }
            let fragment = text[text.utf8.index(after: hash)...]
            if !fragment.utf8.contains(UInt8(ascii: "%")), let withoutFragment = URL(string: String(text[..<hash])) {
                return (withoutFragment, hashes(fromFragment: fragment))
            }
        }
        return splitHashFragmentWithComponents(url)
    }

    /// ``splitHashFragment(_:)`` by way of `URLComponents`, for any URL.
    static func splitHashFragmentWithComponents(_ url: URL) -> (URL, [String: String]) {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return (url, [:]) }
        let fragmentHashes = components.fragment.map { hashes(fromFragment: Substring($0)) } ?? [:]
        components.fragment = nil
        return (components.url ?? url, fragmentHashes)
    }

    /// The hash algorithms a file link's fragment may name (`hashlib`'s guaranteed ones and more).
    private static let hashAlgorithms: Set<String> = ["sha256", "sha384", "sha512", "sha224", "sha1", "md5", "blake2b"]

    /// The known `<algorithm>=<hex>` pairs of a (percent-decoded) fragment, lowercased.
    static func hashes(fromFragment fragment: Substring) -> [String: String] {
        // Split on the bytes of `&` and `=` (ASCII), not on Characters: a page has thousands of
        // fragments, and grapheme breaking would be most of their cost.
        var hashes: [String: String] = [:]
        for part in fragment.utf8.split(separator: UInt8(ascii: "&")) {
            guard let equals = part.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let digest = part[part.index(after: equals)...]
            guard !digest.isEmpty else { continue }
            let algorithm = String(decoding: part[..<equals], as: UTF8.self).lowercasedASCIIFast()
            guard hashAlgorithms.contains(algorithm) else { continue }
            hashes[algorithm] = String(decoding: digest, as: UTF8.self).lowercasedASCIIFast()
        }
        return hashes
    }

    /// The last path component, percent-decoded; the anchor text when the path has none.
    private static func filename(of url: URL, fallback: String) -> String? {
        let path = url.baseURL == nil
            ? url.path(percentEncoded: true)
            : URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? url.path
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        let decoded = last.utf8.contains(UInt8(ascii: "%")) ? last.removingPercentEncoding ?? last : last
        if !decoded.isEmpty { return decoded }
        let text = fallback.trimmingWhitespace(andNewlines: true)
        return text.isEmpty ? nil : text
    }

    // MARK: JSON (PEP 691)

    /// Parses a PEP 691 JSON project page.
    public static func parseJSON(
        _ body: Data, url: URL, projectName: String, maximumFiles: Int = maximumFiles
    ) throws(SimpleIndexError) -> ProjectPage {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: body, options: [])
        } catch {
            throw .malformedJSON(url: url.absoluteString, reason: "invalid JSON")
        }
        guard let root = object as? [String: Any] else {
            throw .malformedJSON(url: url.absoluteString, reason: "the top level is not an object")
        }
        let meta = root["meta"] as? [String: Any]
        let apiVersion = meta?["api-version"] as? String
        if let apiVersion, let major = apiVersion.split(separator: ".").first, major != "1" {
            throw .unsupportedAPIVersion(url: url.absoluteString, version: apiVersion)
        }
        guard let entries = root["files"] as? [Any] else {
            throw .malformedJSON(url: url.absoluteString, reason: "there is no `files` array")
        }
        guard entries.count <= maximumFiles else { throw .tooManyFiles(url: url.absoluteString, limit: maximumFiles) }
        let name = (root["name"] as? String) ?? projectName
        var files: [DistributionFile] = []
        files.reserveCapacity(entries.count)
        for case let entry as [String: Any] in entries {
            guard let href = entry["url"] as? String,
                  let resolved = URL(string: href, relativeTo: url)?.absoluteURL
            else { continue }
            let (fileURL, fragmentHashes) = splitHashFragment(resolved)
            var hashes = fragmentHashes
            if let declared = entry["hashes"] as? [String: Any] {
                for case let (algorithm, digest as String) in declared { hashes[algorithm.lowercased()] = digest.lowercased() }
            }
            let filename = (entry["filename"] as? String) ?? fileURL.lastPathComponent
            var yanked = YankState.notYanked
            if let reason = entry["yanked"] as? String {
                yanked = .yanked(reason: reason.isEmpty ? nil : reason)
            } else if let flag = entry["yanked"] as? Bool {
                yanked = flag ? .yanked(reason: nil) : .notYanked
            }
            let metadata = jsonMetadataAvailability(entry["core-metadata"] ?? entry["data-dist-info-metadata"] ?? entry["dist-info-metadata"])
            let requiresPython = (entry["requires-python"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            let size = (entry["size"] as? NSNumber)?.int64Value
            files.append(DistributionFile(
                filename: filename, url: fileURL, hashes: hashes, requiresPython: requiresPython,
                yanked: yanked, coreMetadata: metadata, size: size, uploadTime: entry["upload-time"] as? String,
                projectName: name))
        }
        let versions = (root["versions"] as? [Any])?.compactMap { $0 as? String } ?? []
        return ProjectPage(name: name, files: files, versions: versions, apiVersion: apiVersion, url: url)
    }

    /// `core-metadata`: absent, a boolean, or a dictionary of hashes.
    private static func jsonMetadataAvailability(_ value: Any?) -> MetadataAvailability {
        if let hashes = value as? [String: Any] {
            var result: [String: String] = [:]
            for case let (algorithm, digest as String) in hashes { result[algorithm.lowercased()] = digest.lowercased() }
            return .present(hashes: result)
        }
        if let flag = value as? Bool { return flag ? .present(hashes: [:]) : .absent }
        return .absent
    }
}
