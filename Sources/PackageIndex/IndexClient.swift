import Foundation
import HTTPRange
import PackagingStandards
import WorkScheduling

/// A project that could not be listed.
public enum IndexClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No configured index or find-links location lists the project.
    case projectNotFound(name: String, searched: [String])

    public var description: String {
        switch self {
        case .projectNotFound(let name, let searched):
            "no distribution of '\(name)' was found in \(searched.joined(separator: ", ")); check the name and the index configuration (--index-url, LAZYWHEEL_INDEX_URL, PIP_INDEX_URL, UV_INDEX_URL/UV_DEFAULT_INDEX, pip.conf, uv.toml)"
        }
    }
}

/// Reads project pages from the configured simple indexes (PEP 503 HTML / PEP 691 JSON, through the
/// ``HTTPCache``) and find-links locations.
///
/// Index strategy (uv's default "first index"): the indexes are asked in order and the first one
/// that knows the project supplies its files, so an extra index cannot shadow a project of the
/// primary one; files from find-links locations are always added. Thread-safe.
public final class IndexClient: Sendable {
    public let configuration: IndexConfiguration
    private let transport: any IndexHTTPTransport
    private let cache: HTTPCache?

    public init(configuration: IndexConfiguration, transport: any IndexHTTPTransport, cache: HTTPCache? = nil) {
        self.configuration = configuration
        self.transport = transport
        self.cache = cache
    }

    /// The files of project `name` (any spelling; normalized per PEP 503).
    public func projectPage(_ name: String, cancellation: CancellationToken? = nil) throws -> ProjectPage {
        let canonical = ProjectName.canonical(name)
        var page: ProjectPage?
        for index in configuration.indexes {
            try cancellation.throwIfCancelled()
            if let found = try indexPage(index, canonicalName: canonical, cancellation: cancellation), !found.files.isEmpty {
                page = found
                break
            }
        }
        var files = page?.files ?? []
        // Only with find-links locations: a long page has thousands of names to hash.
        var seen = configuration.findLinks.isEmpty ? [] : Set(files.map(\.filename))
        for location in configuration.findLinks {
            for file in try findLinksFiles(location, projectName: name, cancellation: cancellation) where seen.insert(file.filename).inserted {
                files.append(file)
            }
        }
        guard !files.isEmpty else {
            throw IndexClientError.projectNotFound(
                name: name, searched: (configuration.indexes + configuration.findLinks).map(\.redactedDescription))
        }
        return ProjectPage(
            name: page?.name ?? name, files: files, versions: page?.versions ?? [], apiVersion: page?.apiVersion,
            url: page?.url ?? configuration.findLinks.first?.url ?? URL(fileURLWithPath: "/"))
    }

    /// One index's page for the project, nil when the index does not know it (404), without the
    /// links its origin may not lead to (``PageLinkResolver/mayFollow(_:from:)``).
    private func indexPage(_ index: IndexLocation, canonicalName: String, cancellation: CancellationToken?) throws -> ProjectPage? {
        let fetched: ProjectPage?
        do {
            fetched = try fetchedIndexPage(
                index, credentials: configuration.credentials(of: index), canonicalName: canonicalName, cancellation: cancellation)
        } catch let error as HTTPClientError where configuration.keyring != nil && error.isUnauthorized {
            // The index asked and nothing else gave a password: the keyring, once.
            guard configuration.keyring?.known(for: index) == nil,
                  let credentials = configuration.keyring?.ask(for: index) else { throw error }
            fetched = try fetchedIndexPage(index, credentials: credentials, canonicalName: canonicalName, cancellation: cancellation)
        }
        guard var page = fetched else { return nil }
        if !page.files.allSatisfy({ PageLinkResolver.mayFollow($0, from: page.url) }) {
            let pageURL = page.url
            page.files.removeAll { !PageLinkResolver.mayFollow($0, from: pageURL) }
        }
        return page
    }

    private func fetchedIndexPage(
        _ index: IndexLocation, credentials: IndexCredentials?, canonicalName: String, cancellation: CancellationToken?
    ) throws -> ProjectPage? {
        if index.isLocal {
            return LocalListing.fileIndexPage(root: index.url, projectName: canonicalName)
        }
        let url = index.projectURL(canonicalName: canonicalName)
        var headers: HTTPHeaderFields = ["Accept": SimpleIndexParser.acceptHeader]
        if let credentials { headers["Authorization"] = credentials.authorizationHeader }
        do {
            guard let cache else {
                let response = try transport.get(url, headers: headers, cancellation: cancellation)
                guard response.status == 200 else {
                    throw HTTPCacheError.unexpectedStatus(url: url.absoluteString, status: response.status)
                }
                return try SimpleIndexParser.parseProjectPage(
                    response.body, contentType: response.headers["Content-Type"], url: response.url, projectName: canonicalName)
            }
            func parse(_ page: CachedPage) throws(SimpleIndexError) -> ProjectPage {
                try SimpleIndexParser.parseProjectPage(page.body, contentType: page.contentType, url: page.url, projectName: canonicalName)
            }
            if let fresh = try cache.freshProjectPage(for: url, projectName: canonicalName, parse: parse) { return fresh }
            let (cached, _) = try cache.fetchPage(url, headers: headers, transport: transport, cancellation: cancellation)
            return try cache.projectPage(from: cached, for: url, projectName: canonicalName, parse: parse)
        } catch HTTPCacheError.unexpectedStatus(_, let status) where status == 404 || status == 410 {
            return nil
        }
    }

    /// The files of `projectName` listed by a find-links location.
    private func findLinksFiles(_ location: IndexLocation, projectName: String, cancellation: CancellationToken?) throws -> [DistributionFile] {
        if location.isLocal {
            if LocalListing.isDirectory(location.url) {
                return LocalListing.directoryFiles(location.url, projectName: projectName)
            }
            guard let body = try? Data(contentsOf: location.url) else { return [] }
            return try SimpleIndexParser.parseHTML(body, url: location.url, projectName: projectName).files
                .filter { LocalListing.belongs($0, to: projectName) }
        }
        var headers: HTTPHeaderFields = ["Accept": "text/html"]
        if let credentials = configuration.credentials(of: location) { headers["Authorization"] = credentials.authorizationHeader }
        let body: Data
        let pageURL: URL
        if let cache {
            let (cached, _) = try cache.fetchPage(location.url, headers: headers, transport: transport, cancellation: cancellation)
            (body, pageURL) = (cached.body, cached.url)
        } else {
            let response = try transport.get(location.url, headers: headers, cancellation: cancellation)
            guard response.status == 200 else {
                throw HTTPCacheError.unexpectedStatus(url: location.url.absoluteString, status: response.status)
            }
            (body, pageURL) = (response.body, response.url)
        }
        return try SimpleIndexParser.parseHTML(body, url: pageURL, projectName: projectName).files
            .filter { LocalListing.belongs($0, to: projectName) && PageLinkResolver.mayFollow($0.url, from: pageURL) }
    }
}
