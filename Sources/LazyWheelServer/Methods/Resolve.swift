import Foundation
import JSONRPC
import LazyWheelCore
import PackageIndex
import Resolver

/// `resolve {requirements, constraints?, indexUrl?, extraIndexUrls?, findLinks?, python?, platform?,
/// prerelease?, wheelsOnly?}` → `{packages: [{name, version, url, requires, extrasUsed}], stats}`:
/// pins the requirements for the target. Reports `$/progress`; `$/cancelRequest` stops the work.
/// No solution: -32060 with the explanation in `message` and the structured report in `data`.
struct ResolveRequest: ServerMethod {
    static let method = "resolve"

    var requirements: [String]
    var constraints: [String]?
    var indexUrl: String?
    var extraIndexUrls: [String]?
    var findLinks: [String]?
    var python: String?
    var platform: String?
    var prerelease: PrereleasePolicy?
    var wheelsOnly: Bool?
    var workDoneToken: ProgressToken?

    typealias Response = ResolutionDocument

    func answer(in context: RequestContext) throws -> ResolutionDocument {
        let session = context.session
        let options = session.options
        var input = ResolutionInput()
        input.requirements = requirements
        input.constraints = constraints ?? []
        // The session's index (configured in initialize or from the environment) unless the
        // request names its own.
        input.index = IndexOptions(
            indexURL: indexUrl, extraIndexURLs: extraIndexUrls ?? [], findLinks: findLinks ?? [],
            allowsLocalLocations: options.allowFileURLs ?? false)
        input.index.keyringProvider = options.keyringProvider
        input.python = python ?? options.python
        input.platform = platform ?? options.platform
        input.prerelease = prerelease
        input.wheelsOnly = wheelsOnly ?? false
        context.progress.begin("Resolving \(requirements.count) requirement\(requirements.count == 1 ? "" : "s")")
        defer { context.progress.end() }
        let before = session.engine.statistics.snapshot
        let progress = context.progress
        let resolution = try ResolutionService(engine: session.engine, environment: session.environment).resolve(
            input, sessionIndex: input.index.namesNoLocation ? try session.projectIndex() : nil,
            cancellation: context.cancellation
        ) { resolved, discovered in
            progress.report("\(resolved) of \(discovered) packages pinned",
                            percentage: discovered == 0 ? nil : resolved * 100 / discovered)
        }
        var transfer = session.engine.statistics.snapshot
        transfer.requests -= before.requests
        transfer.headRequests -= before.headRequests
        transfer.bytesFetched -= before.bytesFetched
        return ResolutionDocument(resolution, transfer: transfer)
    }
}
