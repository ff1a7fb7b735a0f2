import Foundation
import HTTPRange
import LazyWheelCore
import PackageIndex
import PackagingStandards
import WorkScheduling

/// An index's list of projects (the PEP 503 root page: one anchor per project) and the close
/// names to a misspelled one.
enum ProjectList {
    /// The names the root page of `root` lists, nil when it cannot be fetched. Large public
    /// indexes list hundreds of thousands: only the names are kept.
    static func fetch(root: IndexLocation, engine: WheelEngine, cancellation: CancellationToken?) -> [String]? {
        let transport = HTTPClientTransport(client: engine.client, statistics: engine.statistics)
        var headers: HTTPHeaderFields = ["Accept": "text/html"]
        if let credentials = root.credentials { headers["Authorization"] = credentials.authorizationHeader }
        guard let response = try? transport.get(root.url, headers: headers, cancellation: cancellation), response.status == 200 else {
            return nil
        }
        return names(inRootPage: response.body)
    }

    /// The text of each `<a …>name</a>` anchor.
    static func names(inRootPage body: Data) -> [String] {
        let text = String(decoding: body, as: UTF8.self)
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "<a") {
            rest = rest[open.upperBound...]
            guard let tagEnd = rest.firstIndex(of: ">"), let close = rest.range(of: "</a>") else { break }
            let name = rest[rest.index(after: tagEnd)..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty, !name.contains("<") { names.append(name) }
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// Up to three names within a small edit distance of `name` (transpositions count once),
    /// closest first; PEP 503 normalized comparison.
    static func closest(to name: String, among candidates: [String]) -> [String] {
        let target = Array(ProjectName.canonical(name))
        guard !target.isEmpty else { return [] }
        let limit = max(1, min(3, target.count / 3))
        var scored: [(Int, String)] = []
        for candidate in Set(candidates.map(ProjectName.canonical)) where candidate != String(target) {
            let chars = Array(candidate)
            guard abs(chars.count - target.count) <= limit else { continue }
            let distance = editDistance(target, chars)
            if distance <= limit { scored.append((distance, candidate)) }
        }
        return scored.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(3).map(\.1)
    }

    /// Optimal string alignment distance (Damerau–Levenshtein without repeated edits of a substring).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            previous2 = previous
            previous = current
        }
        return previous[b.count]
    }
}
